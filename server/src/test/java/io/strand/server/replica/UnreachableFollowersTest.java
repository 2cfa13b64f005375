package io.strand.server.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.ProcessTestCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader whose followers are gone while ZooKeeper is unreachable (so the ISR cannot shrink)
 * answers acks=all with NOT_ENOUGH_REPLICAS once the followers have lagged for
 * replica.lag.time.max.ms (2 s here), instead of holding the request until its 30 s timeout.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class UnreachableFollowersTest {
    private static final Logger log = LoggerFactory.getLogger(UnreachableFollowersTest.class);
    private static final Set<Errors> NOT_ENOUGH =
            Set.of(Errors.NOT_ENOUGH_REPLICAS, Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);

    @Test
    void shouldRefuseAcksAllQuicklyWhenTheFollowersAreGoneAndTheIsrCannotShrink(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "zookeeper.session.timeout.ms=30000",
                                "replica.lag.time.max.ms=2000"
                            })
                    ProcessTestCluster cluster)
            throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic("cut", Map.of(0, List.of(1, 2, 3)))))
                    .all()
                    .get();
            Wait.waitUntil("broker 1 leads cut-0 with a full ISR", Duration.ofSeconds(30), () -> {
                var p = cluster.describe(admin, "cut", 0);
                return p != null
                        && p.leader() != null
                        && p.leader().id() == 1
                        && p.isr().size() == 3;
            });
        }
        try (RawKafkaConnection c =
                new RawKafkaConnection("127.0.0.1", cluster.broker(1).port())) {
            // broker 1 acts as leader (its own role may trail what the metadata says)
            Wait.waitUntil(
                    "an acks=all write to broker 1 succeeds",
                    Duration.ofSeconds(30),
                    () -> produce(c, "before") == Errors.NONE);
            cluster.stopZooKeeper();
            cluster.broker(2).kill();
            cluster.broker(3).kill();

            long started = System.nanoTime();
            Errors first = produce(c, "held");
            long firstMs = (System.nanoTime() - started) / 1_000_000;
            started = System.nanoTime();
            Errors second = produce(c, "refused");
            long secondMs = (System.nanoTime() - started) / 1_000_000;
            log.info(
                    "acks=all after the followers went: {} after {} ms, then {} after {} ms",
                    first,
                    firstMs,
                    second,
                    secondMs);
            assertTrue(NOT_ENOUGH.contains(first), "first answer " + first + " after " + firstMs + " ms");
            assertTrue(firstMs < 10_000, "held " + firstMs + " ms");
            assertEquals(Errors.NOT_ENOUGH_REPLICAS, second);
            assertTrue(secondMs < 2_000, "refused after " + secondMs + " ms");
        }
    }

    private static Errors produce(RawKafkaConnection c, String value) throws IOException {
        return c.produce("cut", 0, (short) -1, 30_000, value);
    }
}
