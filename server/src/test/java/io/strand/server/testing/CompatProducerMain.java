package io.strand.server.testing;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Run in a child JVM with another kafka-clients version on the class path: produces
 * {@code count} records "value-i" to {@code topic} with a default-config producer (idempotent, acks=all
 * since 3.0), prints the client version and "acked N". An optional fourth argument names a client
 * properties file (security settings).
 */
public final class CompatProducerMain {
    private CompatProducerMain() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        if (args.length > 3) { // a client properties file, e.g. security settings
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(args[3]))) {
                p.load(in);
            }
        }
        Properties version = new Properties();
        try (var in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            version.load(in);
        }
        System.out.println("client " + version.getProperty("version"));
        int acked = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            java.util.List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
            }
            for (java.util.concurrent.Future<?> f : sends) {
                f.get();
                acked++;
            }
        }
        System.out.println("acked " + acked);
    }
}
