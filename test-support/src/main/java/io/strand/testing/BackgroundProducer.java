package io.strand.testing;

import java.time.Duration;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.Producer;

/**
 * Load for fault tests: a thread that keeps sending records through a producer, recording every
 * send and its outcome in a {@link ProduceConsumeValidator}, until {@link #stop()}; the test
 * meanwhile kills, moves or restarts things and waits for progress with {@link
 * #awaitAcknowledged}. {@link #stop()} flushes and closes the producer, so that every send has an
 * outcome before the test validates.
 *
 * <p>Threading: one sending thread owns the producer; {@link #awaitAcknowledged} and {@link
 * #stop()} are called from the test thread.
 */
public final class BackgroundProducer extends BackgroundLoop {

    /** What the {@code i}-th send writes: a topic, a partition (null: the producer's choice), a key and a value. */
    public record Send(String topic, Integer partition, String key, String value) {
        /**
         * Round-robin over {@code partitions} partitions of {@code topic}, key {@code "p<n>"} to
         * partition n, values counting up per partition: per-key order is per-partition order.
         */
        public static LongFunction<Send> roundRobin(String topic, int partitions) {
            return i -> {
                int partition = (int) (i % partitions);
                return new Send(topic, partition, "p" + partition, Long.toString(i / partitions));
            };
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final ProduceConsumeValidator validator;
    private final LongFunction<Send> records;
    private final int sendsPerPause;
    private final Duration pause;

    private BackgroundProducer(
            String name,
            Producer<byte[], byte[]> producer,
            ProduceConsumeValidator validator,
            LongFunction<Send> records,
            int sendsPerPause,
            Duration pause) {
        super("background producer", name);
        this.producer = producer;
        this.validator = validator;
        this.records = records;
        this.sendsPerPause = sendsPerPause;
        this.pause = pause;
    }

    /**
     * Starts sending {@code records.apply(0)}, {@code records.apply(1)}, … through {@code producer}
     * (which this object closes), pausing {@code pause} after every {@code sendsPerPause} sends so
     * that the load is steady rather than a flood of buffered records.
     */
    public static BackgroundProducer start(
            String name,
            Producer<byte[], byte[]> producer,
            ProduceConsumeValidator validator,
            LongFunction<Send> records,
            int sendsPerPause,
            Duration pause) {
        BackgroundProducer p = new BackgroundProducer(name, producer, validator, records, sendsPerPause, pause);
        p.startThread();
        return p;
    }

    @Override
    void loop() throws InterruptedException {
        try (producer) {
            long i = 0;
            while (running()) {
                Send s = records.apply(i++);
                validator.send(producer, s.topic(), s.partition(), s.key(), s.value());
                if (i % sendsPerPause == 0) {
                    Thread.sleep(pause.toMillis());
                }
            }
            producer.flush();
        }
    }

    /** Waits until at least {@code count} records (over the whole run) have been acknowledged. */
    public void awaitAcknowledged(long count, Duration timeout) throws InterruptedException {
        Wait.waitUntil(
                count + " records acknowledged",
                timeout,
                () -> {
                    failIfDied();
                    return validator.acknowledgedCount() >= count;
                },
                validator::summary);
    }

    @Override
    String stuckDetail() {
        return ": " + validator.summary();
    }

    /**
     * Stops sending, waits until every record sent has been acknowledged or has failed (flush),
     * and closes the producer; fails if the sending thread died or does not end within {@code
     * timeout}.
     */
    @Override
    public void stop(Duration timeout) throws InterruptedException {
        super.stop(timeout);
    }

    @Override
    Duration closeTimeout() {
        return Duration.ofMinutes(2);
    }
}
