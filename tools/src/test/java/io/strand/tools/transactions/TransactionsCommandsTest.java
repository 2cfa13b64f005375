package io.strand.tools.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import io.strand.tools.CliHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** strand transactions list / producers show an open transaction, then its commit. */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class TransactionsCommandsTest {
    @BrokerCluster(
            brokers = 2,
            properties = {
                "transaction.state.log.num.partitions=2",
                "transaction.state.log.replication.factor=2",
                "transaction.state.log.min.isr=1",
                "offsets.topic.num.partitions=2"
            })
    private static StrandTestCluster cluster;

    private static CliHarness.Result cli(String... args) {
        CliHarness.Result r = CliHarness.run(CliHarness.with(args, "--bootstrap-server", cluster.bootstrapServer(1)));
        assertEquals(0, r.code(), r::toString);
        return r;
    }

    @Test
    void shouldShowAnOpenTransactionByIdAndByPartitionThenItsCommit() throws Exception {
        cluster.createTopic("orders", 2, 2);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "order-writer", ProducerConfig.ACKS_CONFIG, "all"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", 1, null, "o-1".getBytes()))
                    .get();

            CliHarness.Result list = cli("transactions", "list");
            List<String> lines = list.outLines();
            assertEquals(
                    List.of("TRANSACTIONAL-ID", "STATE", "PRODUCER", "EPOCH", "COORDINATOR", "OPEN-FOR", "PARTITIONS"),
                    List.of(lines.get(0).trim().split("\\s+")));
            String row = lines.stream()
                    .filter(l -> l.startsWith("order-writer"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(row.contains(" Ongoing "), row);
            assertTrue(row.endsWith("orders-1"), row);

            CliHarness.Result producers = cli("transactions", "producers", "-t", "orders");
            String p1 = producers.outLines().stream()
                    .filter(l -> l.startsWith("orders-1"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(producers.toString()));
            assertTrue(p1.trim().endsWith(" 0"), "the open transaction starts at offset 0: " + p1);

            producer.commitTransaction();
        }
        // commitTransaction returns once PrepareCommit is written; CompleteCommit follows the markers
        Wait.waitFor(
                "order-writer listed in CompleteCommit",
                Duration.ofSeconds(10),
                () -> cli("transactions", "list", "--state", "CompleteCommit", "--json"),
                json -> json.out().contains("\"transactionalId\":\"order-writer\",\"state\":\"CompleteCommit\""));
        Wait.waitFor(
                "orders without an open transaction",
                Duration.ofSeconds(10),
                () -> cli("transactions", "producers", "-t", "orders", "--json"),
                after -> after.out().contains("\"openTransactionStartOffset\":null"));
    }
}
