package io.strand.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.DiskFiller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * A broker whose log directory is below its free-space floor answers Produce with
 * KAFKA_STORAGE_ERROR, writes nothing, keeps the partition online and led; a Java producer's send
 * made meanwhile goes through by itself once space is freed. The floor is set just above the free
 * space left with a filler file on the same file system; deleting the filler frees the space. The
 * cluster is started here rather than by the extension because its setting depends on the free space.
 */
class FreeSpaceFloorProduceTest {
    private static final long FILLER_BYTES = 96L << 20;

    @Test
    void shouldRefuseProduceBelowTheFloorAndAcceptItOnceSpaceIsFreed() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path filler = Files.createTempFile(tmp, "strand-filler", ".bin");
        try {
            DiskFiller.fill(filler, FILLER_BYTES);
            long floor = Files.getFileStore(tmp).getUsableSpace() + FILLER_BYTES / 3;
            try (StrandTestCluster cluster =
                    StrandTestCluster.start(1, Map.of("log.dir.free.bytes.min", Long.toString(floor)))) {
                cluster.createTopic("floor", 1, 1);
                try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(1))) {
                    assertEquals(Errors.KAFKA_STORAGE_ERROR, produce(c));
                }
                assertEquals(
                        1,
                        cluster.broker(1)
                                .metrics()
                                .registry()
                                .getGauges()
                                .get("log.dirs-below-free-space-floor")
                                .getValue(),
                        "the directory below its floor is counted");
                assertEquals(
                        0,
                        cluster.broker(1)
                                .replicaManager()
                                .partition(new TopicPartition("floor", 0))
                                .orElseThrow()
                                .log()
                                .logEndOffset(),
                        "nothing was written");

                try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000",
                        ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100"))) {
                    var sent = producer.send(new ProducerRecord<>("floor", 0, null, "after".getBytes()));
                    Files.delete(filler);
                    sent.get(); // retried by the client until the space came back
                }
                try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
                    consumer.assign(List.of(new TopicPartition("floor", 0)));
                    List<ConsumerRecord<byte[], byte[]>> got = new java.util.ArrayList<>();
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                    }
                    assertEquals(1, got.size());
                    assertEquals("after", new String(got.get(0).value()));
                }
            }
        } finally {
            Files.deleteIfExists(filler);
        }
    }

    private static Errors produce(RawKafkaConnection c) throws IOException {
        return c.produce("floor", 0, (short) 1, 5000, "v");
    }
}
