package io.strand.tools.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How fast a new consumer group reads a topic from its beginning, end to end: a {@link KafkaConsumer} with a fresh
 * group id ({@code auto.offset.reset=earliest}, every other setting at the client's defaults) subscribes and polls
 * until it has {@code n} records; the time runs from its creation (so the group join, the first rebalance and the
 * offset lookups are included) to the poll that brings the n-th record. Leaving the group afterwards is not counted.
 *
 * <p>Thread-safety: a static method; each call has its own consumer.
 */
final class ConsumerReadRate {
    private ConsumerReadRate() {}

    /**
     * One read's outcome: records read, seconds to the n-th one, seconds to the first (the join), and whether the
     * records ran out (or the time limit passed) before n.
     */
    record Read(long records, double seconds, double firstRecordSeconds, boolean complete) {
        double recordsPerSecond() {
            return complete ? records / seconds : Double.NaN;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%d records in %.2f s = %.0f records/s (first record after %.2f s)%s",
                    records,
                    seconds,
                    records / seconds,
                    firstRecordSeconds,
                    complete ? "" : " INCOMPLETE: the topic had no more records in time");
        }
    }

    /**
     * Reads {@code n} records of {@code topic} with a new group; gives up when no record came for {@code idle} (the
     * topic holds fewer) and returns what it read, marked incomplete.
     */
    static Read read(String bootstrap, Properties client, String topic, long n, Duration idle) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "strand-bench-read-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long start = System.nanoTime();
        long first = -1;
        long read = 0;
        long lastRecord = start;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            while (read < n && System.nanoTime() - lastRecord < idle.toNanos()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    lastRecord = System.nanoTime();
                    if (first < 0) {
                        first = lastRecord;
                    }
                    read += records.count();
                }
            }
            long end = read >= n ? lastRecord : System.nanoTime();
            return new Read(read, (end - start) / 1e9, first < 0 ? Double.NaN : (first - start) / 1e9, read >= n);
        }
    }
}
