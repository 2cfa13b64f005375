package io.strand.server.testing;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Run in a child JVM with another kafka-clients version on the class path: a default-config
 * consumer in group {@code group} subscribes to {@code topic}, reads until it has seen
 * {@code count} distinct values (or 60 s pass), commits, and prints the client version and
 * "consumed N". An optional fifth argument names a client properties file (security settings).
 */
public final class CompatConsumerMain {
    private CompatConsumerMain() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        int count = Integer.parseInt(args[3]);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        if (args.length > 4) { // a client properties file, e.g. security settings
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(args[4]))) {
                p.load(in);
            }
        }
        Properties version = new Properties();
        try (var in = KafkaConsumer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            version.load(in);
        }
        System.out.println("client " + version.getProperty("version"));
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (seen.size() < count && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(r.value());
                }
            }
            consumer.commitSync();
        }
        System.out.println("consumed " + seen.size());
    }
}
