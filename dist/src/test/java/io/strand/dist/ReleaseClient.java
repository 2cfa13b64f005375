package io.strand.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The client side of {@code bin/strand-release-test}, run by it as a single-file program ({@code java
 * -cp "<archive>/libs/*" ReleaseClient.java ...}) with Kafka's Java client from the release archive's
 * own libs/, so that it needs nothing but the archive and a JDK.
 *
 * <pre>ReleaseClient BOOTSTRAP TOPIC COUNT NEW_PREFIX [EARLIER_PREFIX...]</pre>
 *
 * <p>Produces COUNT records {@code NEW_PREFIX-i} (key {@code k-i}) with an idempotent acks=all producer
 * and waits for every acknowledgement; then reads every partition of the topic from the beginning and
 * checks that it holds exactly the COUNT records of each prefix given, new and earlier: none lost, none
 * duplicated, nothing else. Prints one line per phase; exits 0 when the check holds, 1 when it does not.
 * Runs on the main thread only (the clients' own threads aside).
 */
public final class ReleaseClient {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private ReleaseClient() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ReleaseClient BOOTSTRAP TOPIC COUNT NEW_PREFIX [EARLIER_PREFIX...]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        List<String> prefixes = List.of(args).subList(3, args.length);

        Map<Integer, Integer> perPartition = produce(bootstrap, topic, prefixes.get(0), count);
        System.out.println("acknowledged " + count + " records " + prefixes.get(0) + "-* (acks=all), by partition "
                + perPartition);

        Set<String> expected = new HashSet<>();
        for (String prefix : prefixes) {
            for (int i = 0; i < count; i++) {
                expected.add(value(prefix, i));
            }
        }
        List<String> problems = readBack(bootstrap, topic, expected);
        if (!problems.isEmpty()) {
            System.out.println("FAILED: " + String.join("; ", problems));
            System.exit(1);
        }
        System.out.println(
                "read back all " + expected.size() + " records of " + prefixes + ": none lost, none duplicated");
    }

    private static String value(String prefix, int i) {
        return String.format("%s-%05d", prefix, i);
    }

    private static Map<Integer, Integer> produce(String bootstrap, String topic, String prefix, int count)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Map<Integer, Integer> perPartition = new TreeMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "k-" + i, value(prefix, i))));
            }
            for (Future<RecordMetadata> ack : acks) {
                perPartition.merge(ack.get(90, TimeUnit.SECONDS).partition(), 1, Integer::sum);
            }
        }
        return perPartition;
    }

    private static boolean readToEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(10)) >= e.getValue());
    }

    /** What is wrong with the topic's records against {@code expected}; empty when nothing is. */
    private static List<String> readBack(String bootstrap, String topic, Set<String> expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // everything the log holds: up to each partition's end (the high watermark) as of now
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!readToEnd(consumer, ends) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.merge(r.value(), 1, Integer::sum);
                }
            }
        }
        List<String> problems = new ArrayList<>();
        long missing = expected.stream().filter(v -> !seen.containsKey(v)).count();
        if (missing > 0) {
            problems.add(missing + " of " + expected.size() + " acknowledged records not read back within "
                    + READ_TIMEOUT.toSeconds() + " s");
        }
        seen.forEach((v, n) -> {
            if (!expected.contains(v)) {
                problems.add("unexpected record " + v);
            } else if (n > 1) {
                problems.add(v + " read " + n + " times");
            }
        });
        return problems;
    }
}
