package io.strand.tools.check;

import io.strand.tools.cli.StopSignal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The writing side of {@code strand check}: sends keyed records ({@link CheckValue}) at a steady
 * rate, key {@code k<i>} for the i-th record modulo the number of keys, and records every send and
 * its outcome in the {@link DeliveryLedger}.
 *
 * <ul>
 *   <li>Plain mode: one producer with the acks asked for, idempotent when acks=all; a record is
 *       acknowledged when its send's callback reports success.
 *   <li>Transactional mode: a transactional producer (id {@code strand-check-<run>}) that commits
 *       every {@value #TRANSACTION_MS} ms; a record is acknowledged when its transaction's commit
 *       returned, aborted when the transaction was aborted, and of unknown outcome when the producer
 *       had to be replaced before it knew (a fatal error, a commit that kept timing out).
 * </ul>
 *
 * <p>Threading: {@link #run} runs on the calling thread, which it paces; the producer's callbacks run
 * on its I/O thread and only touch the (thread-safe) ledger.
 */
final class CheckProducer {
    static final long TRANSACTION_MS = 100;
    private static final int COMMIT_ATTEMPTS = 5;

    private final Properties client;
    private final String topic;
    private final String run;
    private final int keys;
    private final int recordSize;
    private final int rate;
    private final String acks;
    private final boolean transactional;
    private final DeliveryLedger ledger;
    private final StopSignal stop;
    private long sends;
    private long startNanos;

    /**
     * @param client the client properties (bootstrap servers, security) every producer starts from
     */
    CheckProducer(
            Properties client,
            String topic,
            String run,
            int keys,
            int recordSize,
            int rate,
            String acks,
            boolean transactional,
            DeliveryLedger ledger,
            StopSignal stop) {
        this.client = client;
        this.topic = topic;
        this.run = run;
        this.keys = keys;
        this.recordSize = recordSize;
        this.rate = rate;
        this.acks = acks;
        this.transactional = transactional;
        this.ledger = ledger;
        this.stop = stop;
    }

    /** Whether the producer is idempotent: acks=all (transactional producers always are). */
    static boolean idempotent(String acks) {
        return acks.equals("all") || acks.equals("-1");
    }

    /**
     * Writes until {@code writing} says to stop, then waits for the outcome of every send.
     *
     * @return how long it wrote, in ms
     */
    long run(BooleanSupplier writing) throws InterruptedException {
        startNanos = System.nanoTime();
        if (transactional) {
            runTransactions(writing);
        } else {
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                while (writing.getAsBoolean()) {
                    sendDue(producer, null, Long.MAX_VALUE);
                    pace();
                }
                producer.flush();
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void runTransactions(BooleanSupplier writing) throws InterruptedException {
        KafkaProducer<byte[], byte[]> producer = transactionalProducer();
        try {
            while (writing.getAsBoolean()) {
                List<Sent> batch = new ArrayList<>();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRANSACTION_MS);
                try {
                    producer.beginTransaction();
                    while (System.nanoTime() < end && writing.getAsBoolean()) {
                        sendDue(producer, batch, end);
                        pace();
                    }
                } catch (KafkaException e) {
                    // a send refused at once (counted by sendDue) or a transaction already in error:
                    // finish() finds out which and aborts or replaces
                }
                producer = finish(producer, batch);
            }
        } finally {
            producer.close(Duration.ofSeconds(30));
        }
    }

    /**
     * Commits the open transaction (retrying a commit that timed out, as Kafka allows), or aborts it
     * after an abortable error; after a fatal error the producer is replaced and the batch's outcome
     * stays unknown.
     *
     * @return the producer to go on with
     */
    private KafkaProducer<byte[], byte[]> finish(KafkaProducer<byte[], byte[]> producer, List<Sent> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                batch.forEach(s -> ledger.acknowledged(s.key(), s.seq()));
                return producer;
            } catch (TimeoutException e) {
                if (attempt >= COMMIT_ATTEMPTS) {
                    ledger.failed(e);
                    return replace(producer);
                }
            } catch (ProducerFencedException
                    | OutOfOrderSequenceException
                    | AuthorizationException
                    | AuthenticationException
                    | UnsupportedVersionException
                    | IllegalStateException e) {
                ledger.failed(e);
                return replace(producer);
            } catch (KafkaException e) {
                ledger.failed(e);
                try {
                    producer.abortTransaction();
                    batch.forEach(s -> ledger.aborted(s.key(), s.seq()));
                    return producer;
                } catch (KafkaException | IllegalStateException abortFailed) {
                    return replace(producer);
                }
            }
        }
    }

    /** A new transactional producer in place of one that cannot go on; its init fences the old one. */
    private KafkaProducer<byte[], byte[]> replace(KafkaProducer<byte[], byte[]> producer) {
        producer.close(Duration.ZERO);
        return transactionalProducer();
    }

    private record Sent(String key, int seq) {}

    /** Sends every record due by now at the rate (at most until {@code untilNanos}), adding them to {@code batch} if given. */
    private void sendDue(KafkaProducer<byte[], byte[]> producer, List<Sent> batch, long untilNanos) {
        long due = (long) ((System.nanoTime() - startNanos) / 1e9 * rate) + 1;
        while (sends < due && System.nanoTime() < untilNanos && !stop.stopped()) {
            String key = "k" + (sends % keys);
            sends++;
            int seq = ledger.nextSeq(key);
            byte[] value = new CheckValue(run, key, seq, System.currentTimeMillis()).encode(recordSize);
            if (batch != null) {
                batch.add(new Sent(key, seq));
            }
            try {
                producer.send(
                        new ProducerRecord<>(topic, key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value),
                        (metadata, error) -> {
                            if (error == null) {
                                ledger.written(key, metadata.partition());
                                if (batch == null) {
                                    ledger.acknowledged(key, seq);
                                }
                            } else {
                                ledger.failed(error);
                            }
                        });
            } catch (KafkaException e) {
                // max.block.ms passed without metadata or buffer space; in a transaction, the
                // transaction is in error and is aborted at its end
                ledger.failed(e);
                if (batch != null) {
                    throw e;
                }
            }
        }
    }

    /** Waits until the next record is due (or the command is stopped). */
    private void pace() throws InterruptedException {
        long nextDueNanos = startNanos + (long) (sends * 1e9 / rate);
        long wait = nextDueNanos - System.nanoTime();
        if (wait > 0) {
            stop.await(Duration.ofNanos(wait));
        }
    }

    private Properties base() {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "strand-check-producer-" + run);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = base();
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf(idempotent(acks)));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaProducer<byte[], byte[]> transactionalProducer() {
        Properties p = base();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "strand-check-" + run);
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }
}
