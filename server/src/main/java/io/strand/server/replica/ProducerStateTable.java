package io.strand.server.replica;

import io.strand.wal.AbortedTxn;
import io.strand.wal.PartitionLog;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer state of one partition: for each producer id its epoch and the last five
 * batches (sequence range and offsets), as Kafka keeps them. The leader checks each incoming batch
 * against it (a retried batch is found and answered with its original offsets; an old epoch is
 * INVALID_PRODUCER_EPOCH; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER); leader and followers alike update
 * it from every batch they append, so a new leader already has it. It is derived data: rebuilt from
 * the log, with snapshots ({@code <offset>.producer.snapshot} in the partition directory) so that a
 * restart scans only the log after the newest snapshot.
 *
 * <p>Transactions: a producer's first transactional batch opens its transaction (its offset is the
 * transaction's first offset, which holds the partition's last stable offset back: {@link
 * OngoingTransactions}); its COMMIT or ABORT marker closes it, and an ABORT yields the {@link
 * AbortedTxn} that goes into the log's aborted-transaction index. Markers carry the transaction
 * coordinator's epoch, and a marker from an older coordinator epoch is refused.
 *
 * <p>Not thread-safe: the owning {@link Partition} serialises access with its append lock.
 */
final class ProducerStateTable {
    private static final Logger log = LoggerFactory.getLogger(ProducerStateTable.class);
    static final int BATCHES_PER_PRODUCER = 5;
    private static final String SUFFIX = ".producer.snapshot";
    private static final int SNAPSHOT_VERSION = 2;

    /** One appended batch of a producer. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {}

    /** What is known of one producer id. */
    static final class ProducerEntry {
        final long producerId;
        short epoch;
        long lastTimestamp;
        /** The first offset of its open transaction, or -1. */
        long currentTxnFirstOffset = -1;
        /** The coordinator epoch of its last marker, or -1. */
        int coordinatorEpoch = -1;

        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_PER_PRODUCER);

        ProducerEntry(long producerId, short epoch) {
            this.producerId = producerId;
            this.epoch = epoch;
        }

        int lastSeq() {
            return batches.isEmpty()
                    ? RecordBatch.NO_SEQUENCE
                    : batches.peekLast().lastSeq();
        }

        long lastOffset() {
            return batches.isEmpty() ? -1 : batches.peekLast().lastOffset();
        }
    }

    private final TopicPartition tp;
    private final Path dir;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** State reflects every batch below this offset. */
    private long mapEndOffset;
    /** Producers were expired since this table was loaded: an unknown id may be one of them. */
    private boolean expiredAny;

    private final OngoingTransactions transactions = new OngoingTransactions();

    ProducerStateTable(TopicPartition tp, Path dir) {
        this.tp = tp;
        this.dir = dir;
    }

    /** Rebuilds the state from the newest usable snapshot and {@code wal} after it; the caller serialises it with appends. */
    void rebuild(PartitionLog wal) {
        long from = loadSnapshot(wal.logStartOffset(), wal.logEndOffset());
        int batches = 0;
        for (RecordBatch b : wal.batchesFrom(from)) {
            AbortedTxn aborted = update(b);
            if (aborted != null) {
                wal.appendAbortedTransaction(aborted); // ignored when the index has it already
            }
            batches++;
        }
        if (batches > 0 || !producers().isEmpty()) {
            log.info(
                    "{}: producer state of {} producers rebuilt from offset {} ({} batches scanned)",
                    tp,
                    producers().size(),
                    from,
                    batches);
        }
    }

    /**
     * Kafka allows exactly one batch per partition in a Produce request; an idempotent batch is the
     * one whose producer state is checked. Returns it, or null for a non-idempotent append.
     */
    static RecordBatch idempotentBatch(MemoryRecords records) {
        RecordBatch first = null;
        int n = 0;
        for (RecordBatch b : records.batches()) {
            if (n++ == 0) {
                first = b;
            }
        }
        if (first != null && first.hasProducerId() && n > 1) {
            throw new org.apache.kafka.common.InvalidRecordException(
                    "an idempotent produce must carry exactly one record batch per partition, not " + n);
        }
        return first != null && first.hasProducerId() ? first : null;
    }

    Collection<ProducerEntry> producers() {
        return producers.values();
    }

    OngoingTransactions transactions() {
        return transactions;
    }

    long mapEndOffset() {
        return mapEndOffset;
    }

    /** A batch of the same producer and epoch with the same sequence range already appended, if any. */
    Optional<BatchMetadata> findDuplicate(RecordBatch batch) {
        ProducerEntry e = producers.get(batch.producerId());
        if (e == null || e.epoch != batch.producerEpoch()) {
            return Optional.empty();
        }
        for (BatchMetadata b : e.batches) {
            if (b.firstSeq() == batch.baseSequence() && b.lastSeq() == batch.lastSequence()) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks a client batch before it is appended (Kafka's rules): an older epoch is refused; a new
     * epoch must start at sequence 0; within an epoch the batch must follow the last sequence. A
     * producer without state here starts at sequence 0 — unless this table may have forgotten it
     * ({@code mayHaveForgotten}: producers were expired, or the log no longer starts at 0), in which
     * case, as in Kafka, any sequence is accepted. (Accepting any sequence from a producer this
     * partition has never seen would let a pipelined later batch land before an earlier one that was
     * refused, e.g. with NOT_LEADER_OR_FOLLOWER while leadership was being set up.)
     */
    void validate(RecordBatch batch, long offsetHint, long logStartOffset) {
        ProducerEntry e = producers.get(batch.producerId());
        if (e == null) {
            boolean mayHaveForgotten = expiredAny || logStartOffset > 0;
            if (batch.baseSequence() != 0 && !mayHaveForgotten) {
                throw new OutOfOrderSequenceException("producer " + batch.producerId() + " has not written to " + tp
                        + " before and must start at sequence 0, not " + batch.baseSequence());
            }
            return;
        }
        short epoch = batch.producerEpoch();
        if (epoch < e.epoch) {
            throw new InvalidProducerEpochException("epoch " + epoch + " of producer " + batch.producerId() + " in "
                    + tp + " is older than its current epoch " + e.epoch);
        }
        if (e.currentTxnFirstOffset >= 0 && !batch.isTransactional() && epoch == e.epoch) {
            throw new InvalidTxnStateException("producer " + batch.producerId() + " wrote a non-transactional batch to "
                    + tp + " inside its open transaction (from offset " + e.currentTxnFirstOffset + ")");
        }
        int firstSeq = batch.baseSequence();
        if (epoch > e.epoch) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("producer " + batch.producerId() + " starts its new epoch "
                        + epoch + " in " + tp + " at sequence " + firstSeq + ", not 0");
            }
            return;
        }
        int lastSeq = e.lastSeq();
        boolean inSequence = firstSeq == lastSeq + 1L || (firstSeq == 0 && lastSeq == Integer.MAX_VALUE);
        if (lastSeq != RecordBatch.NO_SEQUENCE && !inSequence) {
            throw new OutOfOrderSequenceException("out of order sequence of producer " + batch.producerId() + " in "
                    + tp + " at offset " + offsetHint + ": got " + firstSeq + ", expected " + (lastSeq + 1));
        }
    }

    /**
     * Checks a transaction marker before the leader writes it: an older producer epoch is refused
     * (the producer was fenced since), and so is an older coordinator epoch (a coordinator that lost
     * its partition of {@code __transaction_state} since).
     */
    void validateMarker(long producerId, short producerEpoch, int coordinatorEpoch) {
        ProducerEntry e = producers.get(producerId);
        if (e == null) {
            return;
        }
        if (producerEpoch < e.epoch) {
            throw new InvalidProducerEpochException("marker epoch " + producerEpoch + " of producer " + producerId
                    + " in " + tp + " is older than its current epoch " + e.epoch);
        }
        if (coordinatorEpoch < e.coordinatorEpoch) {
            throw new TransactionCoordinatorFencedException("marker of producer " + producerId + " in " + tp
                    + " from coordinator epoch " + coordinatorEpoch + ", older than " + e.coordinatorEpoch);
        }
    }

    /** Records a batch read back from the log (offsets assigned); an ABORT marker returns its aborted transaction. */
    AbortedTxn update(RecordBatch batch) {
        return update(batch, batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
    }

    /**
     * Records an appended batch at {@code firstOffset..lastOffset} (the batch object may still carry
     * the client's offsets). Batches without a producer id only move the map end. Returns the aborted
     * transaction an ABORT marker ends (for the log's index), else null.
     */
    AbortedTxn update(RecordBatch batch, long firstOffset, long lastOffset, long timestamp) {
        AbortedTxn aborted = null;
        if (batch.hasProducerId() && batch.isControlBatch()) {
            aborted = endTransaction(batch, firstOffset, timestamp);
        } else if (batch.hasProducerId()) {
            ProducerEntry e =
                    producers.computeIfAbsent(batch.producerId(), id -> new ProducerEntry(id, batch.producerEpoch()));
            if (batch.producerEpoch() != e.epoch) {
                e.epoch = batch.producerEpoch();
                e.batches.clear();
            }
            if (e.batches.size() == BATCHES_PER_PRODUCER) {
                e.batches.removeFirst();
            }
            e.batches.addLast(
                    new BatchMetadata(batch.baseSequence(), batch.lastSequence(), firstOffset, lastOffset, timestamp));
            e.lastTimestamp = Math.max(e.lastTimestamp, timestamp);
            if (batch.isTransactional() && e.currentTxnFirstOffset < 0) {
                e.currentTxnFirstOffset = firstOffset;
                transactions.begin(e.producerId, firstOffset);
            }
        }
        mapEndOffset = Math.max(mapEndOffset, lastOffset + 1);
        return aborted;
    }

    private AbortedTxn endTransaction(RecordBatch batch, long markerOffset, long timestamp) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return null;
        }
        EndTransactionMarker marker = EndTransactionMarker.deserialize(records.next());
        ProducerEntry e =
                producers.computeIfAbsent(batch.producerId(), id -> new ProducerEntry(id, batch.producerEpoch()));
        if (batch.producerEpoch() > e.epoch) {
            e.epoch = batch.producerEpoch();
            e.batches.clear();
        }
        e.coordinatorEpoch = marker.coordinatorEpoch();
        e.lastTimestamp = Math.max(e.lastTimestamp, timestamp);
        long first = e.currentTxnFirstOffset;
        if (first < 0) {
            return null; // a marker for a transaction that wrote nothing here
        }
        e.currentTxnFirstOffset = -1;
        transactions.complete(first, markerOffset);
        if (marker.controlType() != ControlRecordType.ABORT) {
            return null;
        }
        return new AbortedTxn(e.producerId, first, markerOffset, transactions.firstOpenOffset(markerOffset + 1));
    }

    /** Drops producers whose newest batch is older than {@code expirationMs}. */
    int expire(long nowMs, long expirationMs) {
        int removed = 0;
        for (Iterator<ProducerEntry> it = producers.values().iterator(); it.hasNext(); ) {
            ProducerEntry e = it.next();
            if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= expirationMs) {
                it.remove();
                removed++;
                expiredAny = true;
            }
        }
        return removed;
    }

    /**
     * Loads the newest snapshot at or below {@code logEnd} (deleting newer ones, which describe a
     * truncated log). Returns the offset to scan the log from.
     */
    long loadSnapshot(long logStart, long logEnd) {
        producers.clear();
        transactions.clear();
        mapEndOffset = logStart;
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            if (offset > logEnd) {
                deleteQuietly(file(offset));
                continue;
            }
            if (offset < logStart) {
                break;
            }
            try {
                read(file(offset));
                mapEndOffset = offset;
                for (ProducerEntry e : producers.values()) {
                    if (e.currentTxnFirstOffset >= 0) {
                        transactions.begin(e.producerId, e.currentTxnFirstOffset);
                    }
                }
                return offset;
            } catch (IOException e) {
                log.warn("{}: ignoring unreadable producer snapshot {}: {}", tp, file(offset), e.toString());
                producers.clear();
                transactions.clear();
                deleteQuietly(file(offset));
            }
        }
        return logStart;
    }

    /** Writes the state as of {@link #mapEndOffset} atomically; keeps the two newest snapshots. */
    void takeSnapshot() {
        Path target = file(mapEndOffset);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(SNAPSHOT_VERSION);
                out.writeLong(mapEndOffset);
                out.writeInt(producers.size());
                for (ProducerEntry e : producers.values()) {
                    out.writeLong(e.producerId);
                    out.writeShort(e.epoch);
                    out.writeLong(e.lastTimestamp);
                    out.writeLong(e.currentTxnFirstOffset);
                    out.writeInt(e.coordinatorEpoch);
                    out.writeInt(e.batches.size());
                    for (BatchMetadata b : e.batches) {
                        out.writeInt(b.firstSeq());
                        out.writeInt(b.lastSeq());
                        out.writeLong(b.firstOffset());
                        out.writeLong(b.lastOffset());
                        out.writeLong(b.timestamp());
                    }
                }
            }
            byte[] body = bytes.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(body);
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.allocate(body.length + 8);
                buf.put(body).putLong(crc.getValue()).flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                io.strand.wal.SyncJournal.force(ch, tmp, true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            List<Long> offsets = snapshotOffsets();
            for (int i = 0; i < offsets.size() - 2; i++) {
                deleteQuietly(file(offsets.get(i)));
            }
        } catch (IOException e) {
            log.warn("{}: could not write producer snapshot {}: {}", tp, target, e.toString());
            deleteQuietly(tmp);
        }
    }

    /** Removes snapshots above {@code offset} (the log was truncated there). */
    void deleteSnapshotsAbove(long offset) {
        for (long o : snapshotOffsets()) {
            if (o > offset) {
                deleteQuietly(file(o));
            }
        }
    }

    OptionalLong newestSnapshot() {
        List<Long> offsets = snapshotOffsets();
        return offsets.isEmpty() ? OptionalLong.empty() : OptionalLong.of(offsets.get(offsets.size() - 1));
    }

    private void read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) {
            throw new IOException("too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) {
            throw new IOException("CRC mismatch");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8))) {
            int version = in.readInt();
            if (version != 1 && version != SNAPSHOT_VERSION) {
                throw new IOException("unknown snapshot version " + version);
            }
            in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                ProducerEntry e = new ProducerEntry(in.readLong(), in.readShort());
                e.lastTimestamp = in.readLong();
                if (version >= 2) {
                    e.currentTxnFirstOffset = in.readLong();
                    e.coordinatorEpoch = in.readInt();
                }
                int batches = in.readInt();
                for (int j = 0; j < batches; j++) {
                    e.batches.addLast(
                            new BatchMetadata(in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong()));
                }
                producers.put(e.producerId, e);
            }
        }
    }

    private List<Long> snapshotOffsets() {
        List<Long> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX))
                    .forEach(n -> {
                        try {
                            out.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())));
                        } catch (NumberFormatException ignored) {
                            // not ours
                        }
                    });
        } catch (IOException e) {
            return out;
        }
        out.sort(Long::compare);
        return out;
    }

    private Path file(long offset) {
        return dir.resolve(String.format("%020d%s", offset, SUFFIX));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
