package io.strand.tools.groups;

import static io.strand.tools.CliHarness.assertOneLineError;
import static io.strand.tools.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import io.strand.tools.CliHarness;
import io.strand.tools.StrandCli;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code strand groups list|describe|reset-offsets} against an in-process Strand broker. */
@ExtendWith(StrandClusterExtension.class)
class GroupsCommandsTest {
    @BrokerCluster(
            properties = {
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "group.initial.rebalance.delay.ms=0"
            })
    private static StrandTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster.createTopic("clicks", 2, 1);
        try (KafkaProducer<byte[], byte[]> p =
                cluster.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"))) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>("clicks", i % 2, null, ("c" + i).getBytes()))
                        .get();
            }
        }
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "readers"))) {
            c.subscribe(List.of("clicks"));
            int[] n = {0};
            Wait.waitUntil("the group read the 10 records", Duration.ofSeconds(30), () -> {
                n[0] += c.poll(Duration.ofMillis(100)).count();
                return n[0] >= 10;
            });
            assertEquals(10, n[0]);
            c.commitSync();
        }
    }

    private static CliHarness.Result cli(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--bootstrap-server";
        all[args.length + 1] = cluster.bootstrapServers();
        return run(all);
    }

    private static long committed(int partition) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets("readers")
                    .partitionsToOffsetAndMetadata()
                    .get();
            return m.get(new TopicPartition("clicks", partition)).offset();
        }
    }

    @Test
    void shouldListGroupsWithTheirStateAndFilterByState() {
        CliHarness.Result r = cli("groups", "list");
        assertEquals(0, r.code(), r::toString);
        assertTrue(
                r.outLines().stream().anyMatch(l -> l.matches("readers\\s+classic\\s+Empty\\s+consumer")), r::toString);
        CliHarness.Result stable = cli("groups", "list", "--state", "stable");
        assertEquals(0, stable.code(), stable::toString);
        assertTrue(stable.outLines().stream().noneMatch(l -> l.startsWith("readers")), stable::toString);
        CliHarness.Result json = cli("groups", "list", "--json");
        assertTrue(
                json.out()
                        .contains(
                                "{\"group\":\"readers\",\"type\":\"classic\",\"state\":\"Empty\",\"protocolType\":\"consumer\"}"),
                json::toString);
        assertOneLineError(cli("groups", "list", "--state", "sleepy"), StrandCli.USAGE, "not a group state");
    }

    @Test
    void shouldShowAGroupOfTheConsumerProtocolWithItsTypeAndEpoch() throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "kip848-readers", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
            c.subscribe(List.of("clicks"));
            Wait.waitUntil("the member owns both partitions", Duration.ofSeconds(30), () -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().size() == 2;
            });
            CliHarness.Result list = cli("groups", "list");
            assertTrue(
                    list.outLines().stream()
                            .anyMatch(l -> l.matches("kip848-readers\\s+consumer\\s+Stable\\s+consumer")),
                    list::toString);
            CliHarness.Result d = cli("groups", "describe", "-g", "kip848-readers");
            assertTrue(
                    d.outLines().get(0).startsWith("Group kip848-readers (consumer protocol): state Stable, epoch 1,"),
                    d::toString);
            assertTrue(d.out().contains("assignor uniform"), d::toString);
        }
    }

    @Test
    void shouldShowAShareGroupWithTheMembersReadingEachPartition() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "queue-readers");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaShareConsumer<byte[], byte[]> c = new KafkaShareConsumer<>(p)) {
            c.subscribe(List.of("clicks"));
            CliHarness.Result[] d = {null};
            Wait.waitUntil(
                    "the share group reads both partitions",
                    Duration.ofSeconds(30),
                    () -> {
                        c.poll(Duration.ofMillis(100));
                        d[0] = cli("groups", "describe", "-g", "queue-readers");
                        return d[0].code() == 0
                                && d[0].outLines().stream()
                                                .filter(l -> l.matches("clicks\\s+\\d\\s+5\\s+0\\s+\\S{22}"))
                                                .count()
                                        == 2;
                    },
                    () -> String.valueOf(d[0]));
            assertTrue(
                    d[0].outLines().get(0).startsWith("Group queue-readers (share protocol): state Stable, epoch 1,"),
                    d[0]::toString);
            CliHarness.Result list = cli("groups", "list");
            assertTrue(
                    list.outLines().stream().anyMatch(l -> l.matches("queue-readers\\s+share\\s+Stable\\s+share")),
                    list::toString);
        }
    }

    @Test
    void shouldDescribeCommittedOffsetsAndLag() {
        CliHarness.Result r = cli("groups", "describe", "-g", "readers");
        assertEquals(0, r.code(), r::toString);
        assertTrue(
                r.outLines().get(0).startsWith("Group readers (classic protocol): state Empty, coordinator broker 1"),
                r::toString);
        assertTrue(
                r.outLines().stream().anyMatch(l -> l.matches("clicks\\s+0\\s+5\\s+5\\s+0\\s+-\\s+-\\s+-")),
                r::toString);
        assertTrue(
                r.outLines().stream().anyMatch(l -> l.matches("clicks\\s+1\\s+5\\s+5\\s+0\\s+-\\s+-\\s+-")),
                r::toString);
    }

    @Test
    void shouldResetOffsetsOnlyWithExecute() throws Exception {
        CliHarness.Result dry = cli("groups", "reset-offsets", "-g", "readers", "-t", "clicks", "--to-earliest");
        assertEquals(0, dry.code(), dry::toString);
        assertTrue(dry.outLines().stream().anyMatch(l -> l.matches("clicks\\s+0\\s+5\\s+0")), dry::toString);
        assertTrue(dry.out().contains("Dry run"), dry::toString);
        assertEquals(5, committed(0), "a dry run changes nothing");

        CliHarness.Result earliest =
                cli("groups", "reset-offsets", "-g", "readers", "-t", "clicks", "--to-earliest", "--execute");
        assertEquals(0, earliest.code(), earliest::toString);
        assertEquals(0, committed(0));
        assertEquals(0, committed(1));

        assertEquals(
                0,
                cli("groups", "reset-offsets", "-g", "readers", "--all-topics", "--to-offset", "3", "--execute")
                        .code());
        assertEquals(3, committed(0));
        assertEquals(
                0,
                cli("groups", "reset-offsets", "-g", "readers", "--all-topics", "--to-offset", "99", "--execute")
                        .code());
        assertEquals(5, committed(1), "clamped to the log end");
        assertEquals(
                0,
                cli("groups", "reset-offsets", "-g", "readers", "-t", "clicks", "--to-earliest", "--execute")
                        .code());
        assertEquals(
                0,
                cli("groups", "reset-offsets", "-g", "readers", "-t", "clicks", "--to-latest", "--execute")
                        .code());
        assertEquals(5, committed(0));

        assertOneLineError(
                cli("groups", "reset-offsets", "-g", "readers", "-t", "clicks"),
                StrandCli.USAGE,
                "exactly one of --to-earliest");
        assertOneLineError(
                cli("groups", "reset-offsets", "-g", "readers", "--to-latest"),
                StrandCli.USAGE,
                "--topic or --all-topics");
    }

    @Test
    void shouldRefuseToResetAnActiveGroup() throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "busy"))) {
            c.subscribe(List.of("clicks"));
            Wait.waitUntil("the consumer has its partitions", Duration.ofSeconds(30), () -> {
                c.poll(Duration.ofMillis(100));
                return !c.assignment().isEmpty();
            });
            assertOneLineError(
                    cli("groups", "reset-offsets", "-g", "busy", "-t", "clicks", "--to-earliest", "--execute"),
                    StrandCli.FAILED,
                    "busy is Stable with 1 members");
        }
    }
}
