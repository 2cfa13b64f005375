package io.strand.server.http.status;

import io.strand.coordinator.PartitionInfo;
import io.strand.server.replica.Partition;
import io.strand.wal.FileSlice;
import io.strand.wal.LogReadResult;
import io.strand.wal.PartitionLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * {@code /api/peek?topic=t&partition=p&n=20}: the last {@code n} records below a partition's high watermark (what a
 * consumer could read), read-only, from the leader: in-process when it is this broker, else through the leader's
 * {@code /api/local/peek}; when the leader's page cannot answer, from this broker's replica if it holds one (a
 * follower's high watermark may be a moment behind the leader's). Control records (transaction markers) are left out; records of aborted transactions are
 * shown, marked transactional. Refused (403) when the broker checks ACLs: this page has no client identity to
 * check. Thread-safe (reads only; the log's reads never block its writer).
 */
final class PeekView {
    static final int DEFAULT_RECORDS = 20;
    static final int MAX_RECORDS = 100;
    private static final int READ_BYTES = 1 << 20;
    private static final int HEADER_LIMIT = 256;

    record ShownHeader(String key, Shown value) {}

    record RecordRow(
            long offset,
            long timestamp,
            String timestampType,
            boolean transactional,
            Shown key,
            List<ShownHeader> headers,
            Shown value) {}

    record Peek(
            String topic,
            int partition,
            int brokerId,
            boolean leader,
            long logStartOffset,
            long highWatermark,
            List<RecordRow> records) {}

    private final StatusSources sources;
    private final Peers peers;

    PeekView(StatusSources sources, Peers peers) {
        this.sources = sources;
        this.peers = peers;
    }

    CompletableFuture<Peek> answer(Query query) {
        refuseIfHidden();
        TopicPartition tp = partition(query);
        int n = query.intIn("n", 1, MAX_RECORDS, DEFAULT_RECORDS);
        Optional<Partition> here = sources.replicas().partition(tp);
        if (here.isPresent() && here.get().isLeader()) {
            return CompletableFuture.completedFuture(peek(here.get(), n));
        }
        PartitionInfo info =
                sources.cache().partition(tp).orElseThrow(() -> StatusException.notFound("no partition " + tp));
        if (info.leader() < 0 || info.leader() == sources.brokerId()) { // no leader, or leadership still arriving
            return CompletableFuture.completedFuture(peek(
                    here.orElseThrow(() -> new StatusException(503, tp + " has no leader and no replica here")), n));
        }
        return peers.get(
                        info.leader(),
                        "/api/local/peek",
                        Map.of(
                                "topic",
                                tp.topic(),
                                "partition",
                                String.valueOf(tp.partition()),
                                "n",
                                String.valueOf(n)),
                        Peek.class)
                .thenApply(a -> {
                    if (a.ok()) {
                        return a.value();
                    }
                    // the leader's page cannot answer: this broker's own replica, if it has one, up to its high
                    // watermark
                    return here.map(r -> peek(r, n)).orElseThrow(() -> new StatusException(502, a.error()));
                });
    }

    /** {@code /api/local/peek}: from this broker's replica only. */
    CompletableFuture<Peek> local(Query query) {
        refuseIfHidden();
        TopicPartition tp = partition(query);
        int n = query.intIn("n", 1, MAX_RECORDS, DEFAULT_RECORDS);
        Partition replica = sources.replicas()
                .partition(tp)
                .orElseThrow(
                        () -> StatusException.notFound("broker " + sources.brokerId() + " holds no replica of " + tp));
        return CompletableFuture.completedFuture(peek(replica, n));
    }

    private void refuseIfHidden() {
        if (sources.recordsHidden()) {
            throw new StatusException(
                    403,
                    "records are not shown: this cluster checks ACLs (authorizer.class.name), which this"
                            + " unauthenticated page cannot; read them with an authorized client");
        }
    }

    private static TopicPartition partition(Query query) {
        return new TopicPartition(query.required("topic"), query.intIn("partition", 0, Integer.MAX_VALUE, 0));
    }

    private Peek peek(Partition replica, int n) {
        PartitionLog log = replica.log();
        long highWatermark = log.highWatermark();
        long start = Math.max(log.logStartOffset(), highWatermark - n);
        ArrayDeque<RecordRow> last = new ArrayDeque<>(n + 1);
        long from = start;
        try {
            while (from < highWatermark) {
                MemoryRecords records = onHeap(log.read(from, READ_BYTES, highWatermark, true));
                long next = from;
                for (MutableRecordBatch batch : records.batches()) {
                    next = batch.nextOffset();
                    if (batch.isControlBatch()) {
                        continue;
                    }
                    for (Record r : batch) {
                        if (r.offset() >= start && r.offset() < highWatermark) {
                            last.addLast(row(batch, r));
                            if (last.size() > n) {
                                last.removeFirst();
                            }
                        }
                    }
                }
                if (next <= from) {
                    break;
                }
                from = next;
            }
        } catch (OffsetOutOfRangeException e) {
            throw new StatusException(409, "the log moved while it was read (retention?): " + e.getMessage());
        }
        return new Peek(
                replica.topicPartition().topic(),
                replica.topicPartition().partition(),
                sources.brokerId(),
                replica.isLeader(),
                log.logStartOffset(),
                highWatermark,
                new ArrayList<>(last));
    }

    private static RecordRow row(MutableRecordBatch batch, Record r) {
        List<ShownHeader> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            headers.add(new ShownHeader(
                    h.key(), h.value() == null ? null : Shown.of(java.nio.ByteBuffer.wrap(h.value()), HEADER_LIMIT)));
        }
        return new RecordRow(
                r.offset(),
                r.timestamp(),
                batch.timestampType().name,
                batch.isTransactional(),
                r.hasKey() ? Shown.of(r.key(), Shown.TEXT_LIMIT) : null,
                headers,
                r.hasValue() ? Shown.of(r.value(), Shown.TEXT_LIMIT) : null);
    }

    private static MemoryRecords onHeap(LogReadResult r) {
        BaseRecords records = r.records();
        if (records instanceof MemoryRecords m) {
            return m;
        }
        if (records instanceof FileSlice f) {
            return f.readIntoMemory();
        }
        throw new IllegalStateException("unexpected records " + records.getClass());
    }
}
