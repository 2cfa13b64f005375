package io.strand.tools.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The reading side of {@code strand check}: one consumer without a group, assigned every partition
 * of the topic and placed at the offsets the partitions ended at before the run wrote anything, so
 * that no rebalance or committed offset can make it skip or re-read records (a duplicate it reports
 * is one in the log). A position below a partition's log start (records deleted) moves to the log
 * start ({@code auto.offset.reset=earliest}): what was deleted is then missing, as it should be.
 * It reads with {@code read_committed} for a transactional run. Records of other runs (their run id
 * differs) or other writers are counted and skipped.
 *
 * <p>Reading ends once {@link #drain} has given the end offsets and every position has reached them,
 * or when the drain timeout passes: what was acknowledged and not read by then is lost.
 *
 * <p>Threading: the consumer lives on the thread {@link #start} starts; {@link #drain} may be called
 * from any one other thread.
 */
final class CheckConsumer {
    private static final Duration POLL = Duration.ofMillis(200);

    private final Properties client;
    private final String topic;
    private final String run;
    private final Map<Integer, Long> startOffsets;
    private final boolean readCommitted;
    private final boolean measureLatency;
    private final DeliveryLedger ledger;
    private final Thread thread;
    private volatile Map<Integer, Long> targets;
    private volatile long deadlineNanos;
    private volatile boolean complete;
    private volatile RuntimeException failure;

    CheckConsumer(
            Properties client,
            String topic,
            String run,
            Map<Integer, Long> startOffsets,
            boolean readCommitted,
            boolean measureLatency,
            DeliveryLedger ledger) {
        this.client = client;
        this.topic = topic;
        this.run = run;
        this.startOffsets = Map.copyOf(startOffsets);
        this.readCommitted = readCommitted;
        this.measureLatency = measureLatency;
        this.ledger = ledger;
        this.thread = new Thread(this::read, "strand-check-consumer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Tells the reader to stop once its positions reach {@code endOffsets}, or after {@code timeout},
     * and waits for it.
     *
     * @return whether it reached them
     * @throws RuntimeException what made the reader fail, if it did
     */
    boolean drain(Map<Integer, Long> endOffsets, Duration timeout) throws InterruptedException {
        deadlineNanos = System.nanoTime() + timeout.toNanos();
        targets = Map.copyOf(endOffsets);
        thread.join(timeout.toMillis() + TimeUnit.SECONDS.toMillis(30));
        if (failure != null) {
            throw failure;
        }
        return complete;
    }

    /** Ends reading at once (the run failed or is over) without waiting. */
    void stop() {
        deadlineNanos = System.nanoTime();
        if (targets == null) {
            targets = Map.of();
        }
    }

    private void read() {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "strand-check-consumer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            startOffsets.keySet().forEach(id -> partitions.add(new TopicPartition(topic, id)));
            consumer.assign(partitions);
            startOffsets.forEach((id, offset) -> consumer.seek(new TopicPartition(topic, id), offset));
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    CheckValue.decode(r.value())
                            .filter(v -> v.run().equals(run))
                            .ifPresentOrElse(
                                    v -> ledger.read(
                                            v, r.partition(), measureLatency ? System.currentTimeMillis() : -1),
                                    ledger::foreign);
                }
                Map<Integer, Long> end = targets;
                if (end != null) {
                    if (reached(consumer, end)) {
                        complete = true;
                        return;
                    }
                    if (System.nanoTime() - deadlineNanos >= 0) {
                        return;
                    }
                }
            }
        } catch (KafkaException | IllegalStateException e) {
            failure = e;
        }
    }

    private boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<Integer, Long> end) {
        for (Map.Entry<Integer, Long> e : end.entrySet()) {
            try {
                if (consumer.position(new TopicPartition(topic, e.getKey()), Duration.ofSeconds(1)) < e.getValue()) {
                    return false;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException timeout) {
                return false;
            }
        }
        return true;
    }
}
