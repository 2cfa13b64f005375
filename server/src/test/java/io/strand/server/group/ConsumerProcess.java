package io.strand.server.group;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A group consumer in its own JVM, so that a test can {@code kill -9} it. Reads records, prints
 * each ({@code R <value>}), flushes, then commits synchronously ({@code C}): a record is printed
 * before its offset is committed. Prints {@code A <partitions> <System.nanoTime()>} after every
 * assignment change (the monotonic clock is the machine's, shared by the test's JVM). A
 * line {@code stop} on stdin closes the consumer cleanly (leaving the group).
 *
 * <p>Arguments: bootstrap servers, group, topic, assignor class (or {@code consumer:<assignor>} for the
 * KIP-848 protocol with that server-side assignor), session timeout ms (classic protocol only).
 */
public final class ConsumerProcess {
    private ConsumerProcess() {}

    /** The assignor argument's prefix that selects {@code group.protocol=consumer}. */
    static final String CONSUMER_PROTOCOL = "consumer:";

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        if (args[3].startsWith(CONSUMER_PROTOCOL)) { // KIP-848: the broker assigns, and sets the timeouts
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            p.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, args[3].substring(CONSUMER_PROTOCOL.length()));
        } else {
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, args[3]);
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, args[4]);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        AtomicBoolean stop = new AtomicBoolean();
        Thread stdin = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (line.trim().equals("stop")) {
                                break;
                            }
                        }
                    } catch (Exception ignored) {
                        // stdin closed: stop too
                    }
                    stop.set(true);
                },
                "stdin");
        stdin.setDaemon(true);
        stdin.start();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TreeSet<Integer> owned = new TreeSet<>();
            c.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> owned.remove(tp.partition()));
                    report();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> owned.add(tp.partition()));
                    report();
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }

                private void report() {
                    out.println("A " + owned.toString().replace(" ", "") + " " + System.nanoTime());
                    out.flush();
                }
            });
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.println("R " + new String(r.value(), StandardCharsets.UTF_8));
                }
                out.flush();
                try {
                    c.commitSync();
                    out.println("C");
                } catch (RuntimeException e) {
                    out.println("COMMIT_FAILED " + e);
                }
                out.flush();
            }
        }
        out.println("CLOSED");
        out.flush();
    }
}
