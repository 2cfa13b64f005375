package io.strand.server.testing;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Run in a child JVM with another kafka-clients version on the class path: a transactional producer
 * ({@code transactional.id} given) runs {@code transactions} transactions of {@code perTransaction}
 * records "t&lt;n&gt;-&lt;i&gt;" to partition i mod {@code partitions} of {@code topic}, committing the even ones
 * and aborting the odd ones (after a flush, so that aborted records are in the log); prints the
 * client version and "committed N".
 */
public final class CompatTransactionalMain {
    private CompatTransactionalMain() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int partitions = Integer.parseInt(args[2]);
        int transactions = Integer.parseInt(args[3]);
        int perTransaction = Integer.parseInt(args[4]);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "compat-" + topic);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Properties version = new Properties();
        try (var in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            version.load(in);
        }
        System.out.println("client " + version.getProperty("version"));
        int committed = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            for (int t = 0; t < transactions; t++) {
                producer.beginTransaction();
                for (int i = 0; i < perTransaction; i++) {
                    producer.send(new ProducerRecord<>(topic, i % partitions, null, "t" + t + "-" + i));
                }
                producer.flush();
                if (t % 2 == 0) {
                    producer.commitTransaction();
                    committed += perTransaction;
                } else {
                    producer.abortTransaction();
                }
            }
        }
        System.out.println("committed " + committed);
    }
}
