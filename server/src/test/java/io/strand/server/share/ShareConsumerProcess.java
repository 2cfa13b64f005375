package io.strand.server.share;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;

/**
 * A share consumer in its own JVM that holds what it gets: it prints {@code R <value> <delivery
 * count>} for every record and never acknowledges, so that a test can {@code kill -9} it holding
 * acquired records. Prints {@code READY} once subscribed.
 *
 * <p>Arguments: bootstrap servers, group, topic.
 */
public final class ShareConsumerProcess {
    private ShareConsumerProcess() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        try (KafkaShareConsumer<byte[], byte[]> c = KafkaShareConsumerTest.consumer(args[0], args[1], true)) {
            c.subscribe(List.of(args[2]));
            out.println("READY");
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    out.println("R " + new String(r.value(), StandardCharsets.UTF_8) + " "
                            + r.deliveryCount().orElse((short) -1));
                }
            }
        }
    }
}
