package io.strand.server.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.CompatClients;
import io.strand.server.testing.CompatProducerMain;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Java client's default (idempotent) producer works, and retries never duplicate. */
@ExtendWith(StrandClusterExtension.class)
class IdempotentProducerTest {
    @BrokerCluster(
            brokers = 3,
            properties = {"default.replication.factor=3", "min.insync.replicas=2"})
    private static StrandTestCluster cluster;

    @Test
    void shouldServeADefaultConfigJavaProducerExactlyOnce() throws Exception {
        cluster.createTopic("defaults", 3, 3);
        int n = 3000;
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            sendAndAwait(producer, validator, "defaults", n);
        }
        assertExactlyOnce(validator, "defaults", 3);
        try (Admin admin = cluster.admin()) {
            List<ProducerState> producers = admin.describeProducers(List.of(new TopicPartition("defaults", 0)))
                    .partitionResult(new TopicPartition("defaults", 0))
                    .get()
                    .activeProducers();
            assertEquals(1, producers.size(), "DescribeProducers shows the one producer");
            assertTrue(producers.get(0).lastSequence() >= 0);
        }
    }

    @Test
    @SystemTest
    void shouldServeADefaultConfigProducerAndGroupConsumerOfKafkaClients39() throws Exception {
        cluster.createTopic("compat39", 3, 3);
        String out = CompatClients.run39(CompatProducerMain.class, cluster.bootstrapServers(), "compat39", "2000");
        assertTrue(out.contains("acked 2000"), out);
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        for (int i = 0; i < 2000; i++) {
            validator.acknowledged("key-" + i, "value-" + i); // what CompatProducerMain sent and saw acknowledged
        }
        assertExactlyOnce(validator, "compat39", 3);

        // and the 3.9 consumer reads them back in a consumer group
        String consumed = CompatClients.run39(
                io.strand.server.testing.CompatConsumerMain.class,
                cluster.bootstrapServers(),
                "compat39",
                "readers-39",
                "2000");
        assertTrue(consumed.contains("consumed 2000"), consumed);
    }

    @Test
    @SlowTest
    void shouldNotDuplicateWhenResponsesAreLostAndTheProducerRetries() throws Exception {
        cluster.createTopic("lossy", 3, 3);
        AtomicInteger produces = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        cluster.faults()
                .dropResponseAndCloseWhen(h -> h.apiKey() == ApiKeys.PRODUCE
                        && produces.incrementAndGet() % 10 == 0
                        && dropped.incrementAndGet() > 0);
        int n = 2000;
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                "linger.ms", "0", "batch.size", "100", "request.timeout.ms", "5000", "retry.backoff.ms", "20"))) {
            sendAndAwait(producer, validator, "lossy", n);
        } finally {
            cluster.faults().dropResponseAndCloseWhen(null);
        }
        assertTrue(dropped.get() >= 20, "responses were really lost: " + dropped.get() + " of " + produces.get());
        assertExactlyOnce(validator, "lossy", 3);
    }

    @Test
    void shouldAnswerOutOfOrderAndFencedEpochsWithTheRightErrors() throws Exception {
        cluster.createTopic("sequences", 1, 3);
        int leader = cluster.brokers().stream()
                .filter(b -> b.replicaManager()
                        .partition(new TopicPartition("sequences", 0))
                        .map(p -> p.isLeader())
                        .orElse(false))
                .findFirst()
                .orElseThrow()
                .brokerId();
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(leader))) {
            InitProducerIdResponse init = (InitProducerIdResponse) c.send(
                    ApiKeys.INIT_PRODUCER_ID,
                    (short) 4,
                    new InitProducerIdRequestData()
                            .setTransactionalId(null)
                            .setTransactionTimeoutMs(60_000)
                            .setProducerId(-1)
                            .setProducerEpoch((short) -1));
            assertEquals(Errors.NONE.code(), init.data().errorCode());
            long pid = init.data().producerId();

            assertEquals(answer(Errors.NONE, 0), produce(c, pid, (short) 0, 0, 3));
            assertEquals(answer(Errors.NONE, 3), produce(c, pid, (short) 0, 3, 2));
            assertEquals(answer(Errors.NONE, 0), produce(c, pid, (short) 0, 0, 3), "a retry gets its first offsets");
            assertEquals(
                    Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                    produce(c, pid, (short) 0, 9, 1).error(),
                    "a gap");
            assertEquals(answer(Errors.NONE, 5), produce(c, pid, (short) 1, 0, 1), "a bumped epoch starts at 0");
            assertEquals(
                    Errors.INVALID_PRODUCER_EPOCH,
                    produce(c, pid, (short) 0, 5, 1).error(),
                    "the old epoch");
            assertEquals(
                    Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                    produce(c, pid, (short) 2, 4, 1).error(),
                    "a new epoch not starting at 0");
            assertEquals(
                    Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                    produce(c, 999_999L, (short) 0, 42, 1).error(),
                    "a producer this partition has never seen starts at 0 (the table has forgotten nobody)");
            assertEquals(answer(Errors.NONE, 6), produce(c, 999_999L, (short) 0, 0, 1));
        }
        // the state is rebuilt after a restart: a retry is still recognised
        cluster.restartBroker(leader);
        int newLeader = Wait.waitFor(
                        "a leader of sequences-0 again",
                        Duration.ofSeconds(30),
                        () -> cluster.brokers().stream()
                                .filter(b -> b.replicaManager()
                                        .partition(new TopicPartition("sequences", 0))
                                        .map(p -> p.isLeader())
                                        .orElse(false))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow()
                .brokerId();
        Wait.waitUntil(
                "ISR complete",
                Duration.ofSeconds(30),
                () -> cluster.broker(newLeader)
                                .replicaManager()
                                .partition(new TopicPartition("sequences", 0))
                                .orElseThrow()
                                .isr()
                                .size()
                        == 3);
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", cluster.port(newLeader))) {
            assertEquals(6, produce(c, 999_999L, (short) 0, 0, 1).baseOffset(), "the retry after the leader moved");
            assertEquals(answer(Errors.NONE, 7), produce(c, 999_999L, (short) 0, 1, 1), "and the next one follows");
        }
    }

    private record Answer(Errors error, long baseOffset) {}

    private static Answer answer(Errors e, long offset) {
        return new Answer(e, offset);
    }

    private static Answer produce(RawKafkaConnection c, long pid, short epoch, int firstSeq, int count)
            throws Exception {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(("r" + (firstSeq + i)).getBytes());
        }
        MemoryRecords batch = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, firstSeq, records);
        ProduceResponseData.PartitionProduceResponse pr = c.produce("sequences", 0, (short) -1, 10_000, batch);
        Errors e = Errors.forCode(pr.errorCode());
        return new Answer(e, e == Errors.NONE ? pr.baseOffset() : -1);
    }

    /** Sends values v0..v(n-1) under keys k0..k(n-1) and waits for every acknowledgement. */
    private static void sendAndAwait(
            KafkaProducer<byte[], byte[]> producer, ProduceConsumeValidator validator, String topic, int n)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            acks.add(validator.send(producer, topic, null, "k" + i, "v" + i));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get();
        }
        assertEquals(n, validator.acknowledgedCount());
    }

    /** Every acknowledged record appears exactly once across the topic, and nothing else does. */
    private static void assertExactlyOnce(ProduceConsumeValidator validator, String topic, int partitions)
            throws InterruptedException {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            validator.consumeToEnd(consumer, tps, Duration.ofSeconds(60));
        }
        validator.assertNoneLost();
        validator.assertNoDuplicates();
        validator.assertNothingUnexpected();
    }
}
