package io.strand.server.compaction;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;

/**
 * What the compaction tests share: the configs of a topic that is cleaned as soon as a segment
 * closes, reading a partition back whole, its size on a broker's disk (DescribeLogDirs), and what a
 * cleaned log must look like. Values are random characters so that a compressed batch is about as
 * large as its records and small segments roll as planned.
 *
 * <p>Stateless, but {@link Sent} is filled by producer callbacks: thread-safe.
 */
final class CompactedTopics {
    /** 16 KiB segments: the active segment is never cleaned, so tests need segments that close. */
    static final int SEGMENT_BYTES = 16384;

    private static final Random RANDOM = new Random();

    private CompactedTopics() {}

    /**
     * A compacted topic with 16 KiB segments, cleaned whenever anything is dirty
     * (min.cleanable.dirty.ratio=0.01), with {@code more} configs over those.
     */
    static Map<String, String> compacted(Map<String, String> more) {
        Map<String, String> c = new HashMap<>();
        c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        c.put(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES));
        c.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        c.putAll(more);
        return c;
    }

    /** Creates a one-partition {@code topic} with {@code replicas} replicas and {@code configs}. */
    static void create(Admin admin, String topic, int replicas, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) replicas).configs(configs)))
                .all()
                .get();
    }

    /** The producer settings of these tests: idempotent, acks=all, small batches. */
    static Map<String, Object> producerSettings(Map<String, Object> more) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.putAll(more);
        return p;
    }

    /** A consumer that fails rather than resets when its position is out of range. */
    static Map<String, Object> strictConsumer() {
        return Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    }

    /** {@code prefix} followed by random letters and digits up to {@code length} characters. */
    static String value(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix);
        while (sb.length() < length) {
            sb.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return sb.toString();
    }

    /** One record as read back: its offset, key and value (null: a tombstone). */
    record Rec(long offset, String key, String value) {
        static Rec of(ConsumerRecord<byte[], byte[]> r) {
            return new Rec(r.offset(), string(r.key()), string(r.value()));
        }

        @Override
        public String toString() {
            return offset + ":" + key + "="
                    + (value == null ? "<tombstone>" : value.substring(0, Math.min(8, value.length())));
        }
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code tp} from its beginning up to the end offset it has now; fails if that takes
     * longer than {@code timeout}, or at once if the consumer reports an error (with a {@link
     * #strictConsumer()}, an offset out of range is one).
     */
    static List<Rec> readAll(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, Duration timeout)
            throws InterruptedException {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        List<Rec> out = new ArrayList<>();
        Wait.waitUntil(
                "every record of " + tp + " up to offset " + end + " is read",
                timeout,
                () -> {
                    try {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            out.add(Rec.of(r));
                        }
                    } catch (RuntimeException e) {
                        throw new AssertionError("the consumer failed reading " + tp, e);
                    }
                    return consumer.position(tp) >= end;
                },
                () -> out.size() + " records read, position " + consumer.position(tp));
        return out;
    }

    /** Offsets only go up: no record read twice, none out of order. */
    static void assertStrictlyIncreasing(List<Rec> records) {
        for (int i = 1; i < records.size(); i++) {
            assertTrue(
                    records.get(i).offset() > records.get(i - 1).offset(),
                    "offset " + records.get(i).offset() + " after "
                            + records.get(i - 1).offset() + " at position " + i);
        }
    }

    /** The records of each key, in offset order. */
    static Map<String, List<Rec>> byKey(List<Rec> records) {
        Map<String, List<Rec>> out = new LinkedHashMap<>();
        for (Rec r : records) {
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /** Keys read more than once: what a fully cleaned log must not have. */
    static Map<String, List<Rec>> keysSeenTwice(List<Rec> records) {
        Map<String, List<Rec>> out = new LinkedHashMap<>(byKey(records));
        out.values().removeIf(l -> l.size() < 2);
        return out;
    }

    /** The size of {@code broker}'s replica of {@code tp} on disk (DescribeLogDirs), or -1 if it has none. */
    static long sizeOnDisk(Admin admin, int broker, TopicPartition tp) throws Exception {
        return admin.describeLogDirs(List.of(broker)).allDescriptions().get().get(broker).values().stream()
                .map(d -> d.replicaInfos().get(tp))
                .filter(java.util.Objects::nonNull)
                .mapToLong(ReplicaInfo::size)
                .findFirst()
                .orElse(-1);
    }

    /**
     * What was acknowledged, with its offset: the validator records sends, acknowledgements and
     * failures, and this the offset each acknowledged (key, value) got, so that a test can check that
     * cleaning moved no record. Tombstones (null values) get offsets but stay out of the validator.
     */
    static final class Sent {
        final ProduceConsumeValidator validator = new ProduceConsumeValidator();
        private final Map<ProduceConsumeValidator.Entry, Long> offsets = new HashMap<>();
        private final List<Future<RecordMetadata>> pending = new ArrayList<>();
        private final Map<String, String> latest = new LinkedHashMap<>();
        private long payloadBytes;

        void send(Producer<byte[], byte[]> producer, String topic, String key, String value) {
            send(producer, topic, key, value, null);
        }

        /** Sends {@code value} (null: a tombstone) under {@code key} to partition 0, with {@code timestamp} if not null. */
        void send(Producer<byte[], byte[]> producer, String topic, String key, String value, Long timestamp) {
            ProduceConsumeValidator.Entry entry = new ProduceConsumeValidator.Entry(key, value);
            if (value != null) {
                validator.sent(key, value);
            }
            Future<RecordMetadata> f = producer.send(
                    new ProducerRecord<>(topic, 0, timestamp, bytes(key), bytes(value)), (metadata, error) -> {
                        if (error == null) {
                            synchronized (this) {
                                offsets.put(entry, metadata.offset());
                            }
                            if (value != null) {
                                validator.acknowledged(key, value);
                            }
                        } else if (value != null) {
                            validator.failed(key, value, error);
                        }
                    });
            synchronized (this) {
                pending.add(f);
                latest.put(key, value);
                payloadBytes += key.length() + (value == null ? 0 : value.length());
            }
        }

        /**
         * The value last sent under each key (null: a tombstone), in the order keys were first sent:
         * what a cleaned log holds once every send is acknowledged (one producer: sends are
         * acknowledged in order).
         */
        synchronized Map<String, String> latest() {
            return new LinkedHashMap<>(latest);
        }

        /** Waits for every send so far; fails if one failed. */
        void awaitAcknowledged() throws Exception {
            List<Future<RecordMetadata>> all;
            synchronized (this) {
                all = new ArrayList<>(pending);
                pending.clear();
            }
            for (Future<RecordMetadata> f : all) {
                f.get();
            }
        }

        /** Keys and values sent so far, in bytes: about what the topic holds before any cleaning. */
        synchronized long payloadBytes() {
            return payloadBytes;
        }

        /** The offset {@code value} (null: a tombstone) of {@code key} was acknowledged at, or null. */
        synchronized Long offsetOf(String key, String value) {
            return offsets.get(new ProduceConsumeValidator.Entry(key, value));
        }

        /** Every record read was acknowledged, at the offset it was acknowledged at. */
        void assertAtAcknowledgedOffsets(List<Rec> records) {
            for (Rec r : records) {
                Long acked = offsetOf(r.key(), r.value());
                assertTrue(acked != null && acked == r.offset(), r + " was acknowledged at offset " + acked);
            }
        }

        /** Feeds {@code records} to the validator as consumed (tombstones stay out: the validator has no null values). */
        void consumed(List<Rec> records) {
            for (Rec r : records) {
                if (r.value() != null) {
                    validator.consumed(r.key(), r.value());
                }
            }
        }
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
