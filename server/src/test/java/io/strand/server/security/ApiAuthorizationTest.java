package io.strand.server.security;

import static org.apache.kafka.common.acl.AclOperation.CLUSTER_ACTION;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a principal may do is what its ACLs say, seen by Kafka's own Java clients: every connection is
 * {@code User:ANONYMOUS} (plaintext, no SASL), the broker runs the ZooKeeper authorizer with no super user
 * and {@code allow.everyone.if.no.acl.found=false}, and each test grants ANONYMOUS exactly what it needs.
 * READ without WRITE consumes but cannot produce; Metadata lists only describable topics; a consumer in a
 * group needs READ on the group; prefixed ACLs grant; a DENY beats an ALLOW; idempotent and transactional
 * producers need what Kafka 3.x+ requires; CreateTopics needs CREATE.
 */
@ExtendWith(StrandClusterExtension.class)
class ApiAuthorizationTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @BrokerCluster(
            properties = {
                "authorizer.class.name=io.strand.server.security.ZkAclAuthorizer",
                "allow.everyone.if.no.acl.found=false",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.num.partitions=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "group.consumer.heartbeat.interval.ms=500"
            })
    private static StrandTestCluster cluster;

    private TestAcls acls;

    @BeforeEach
    void noAcls() {
        acls = new TestAcls(cluster.broker(1));
        acls.clear();
    }

    @Test
    void shouldLetAPrincipalThatMayOnlyReadConsumeButNotProduce() throws Exception {
        String topic = topic("read-only");
        acls.allow(TOPIC, topic, WRITE);
        produce(topic, plainProducer(), 10);
        acls.clear();
        acls.allow(TOPIC, topic, READ);

        try (KafkaProducer<byte[], byte[]> producer = plainProducer()) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "refused".getBytes()))
                            .get());
            assertTrue(e.getCause() instanceof TopicAuthorizationException, e.toString());
            assertEquals(Set.of(topic), ((TopicAuthorizationException) e.getCause()).unauthorizedTopics());
        }
        assertEquals(10, consumeAssigned(topic, 10).size(), "READ is enough to fetch");
    }

    @Test
    void shouldListInMetadataOnlyTheTopicsThePrincipalMayDescribe() throws Exception {
        String visible = topic("listed-visible");
        String hidden = topic("listed-hidden");
        acls.clear();
        acls.allow(TOPIC, visible, DESCRIBE);

        try (Admin admin = cluster.admin()) {
            Set<String> listed = admin.listTopics().names().get();
            assertEquals(Set.of(visible), listed, "a topic without DESCRIBE is not listed");
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.describeTopics(List.of(hidden)).allTopicNames().get());
            assertTrue(e.getCause() instanceof TopicAuthorizationException, e.toString());
            assertEquals(
                    1,
                    admin.describeTopics(List.of(visible))
                            .allTopicNames()
                            .get()
                            .get(visible)
                            .partitions()
                            .size());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            assertEquals(Set.of(visible), consumer.listTopics(WITHIN).keySet(), "Metadata of all topics");
        }
    }

    @Test
    void shouldRefuseAGroupMemberWithoutReadOnTheGroup() throws Exception {
        String topic = topic("grouped");
        acls.allow(TOPIC, topic, WRITE);
        produce(topic, plainProducer(), 5);
        acls.clear();
        acls.allow(TOPIC, topic, READ);

        try (KafkaConsumer<byte[], byte[]> consumer =
                cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "no-acl-group"))) {
            consumer.subscribe(List.of(topic));
            GroupAuthorizationException e =
                    assertThrows(GroupAuthorizationException.class, () -> consumer.poll(WITHIN));
            assertEquals("no-acl-group", e.groupId());
        }

        acls.allow(GROUP, "acl-group", READ);
        try (KafkaConsumer<byte[], byte[]> consumer =
                cluster.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "acl-group"))) {
            consumer.subscribe(List.of(topic));
            assertEquals(5, pollUntil(consumer, 5).size());
            consumer.commitSync();
            assertEquals(
                    5,
                    consumer.committed(Set.of(new TopicPartition(topic, 0)))
                            .get(new TopicPartition(topic, 0))
                            .offset());
        }
    }

    @Test
    void shouldMatchARegularExpressionOnlyToTopicsThePrincipalMayDescribe() throws Exception {
        String visible = topic("regex-visible");
        String hidden = topic("regex-hidden");
        acls.allow(TOPIC, visible, WRITE).allow(TOPIC, hidden, WRITE);
        produce(visible, plainProducer(), 3);
        produce(hidden, plainProducer(), 3);
        acls.clear();
        acls.allow(TOPIC, visible, READ).allow(GROUP, "regex-group", READ);

        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "regex-group", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
            consumer.subscribe(new SubscriptionPattern("regex-.*")); // resolved by the coordinator (KIP-848)
            List<ConsumerRecord<byte[], byte[]>> got = pollUntil(consumer, 3);
            assertEquals(3, got.size());
            assertTrue(got.stream().allMatch(r -> r.topic().equals(visible)), "only the describable topic");
            assertEquals(Set.of(new TopicPartition(visible, 0)), consumer.assignment());
            try (Admin admin = cluster.admin()) { // a topic it may not describe would fail the describe
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("regex-group"))
                        .all()
                        .get()
                        .get("regex-group");
                assertEquals(
                        Set.of(new TopicPartition(visible, 0)),
                        group.members().iterator().next().assignment().topicPartitions(),
                        "the coordinator assigned only what the member may describe");
            }
        }
    }

    @Test
    void shouldGrantThroughPrefixedAcls() throws Exception {
        String granted = topic("orders-eu");
        String other = topic("payments-eu");
        acls.clear();
        acls.allowPrefixed(TOPIC, "orders-", WRITE);

        try (KafkaProducer<byte[], byte[]> producer = plainProducer()) {
            producer.send(new ProducerRecord<>(granted, "ok".getBytes())).get();
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(other, "refused".getBytes()))
                            .get());
            assertTrue(e.getCause() instanceof TopicAuthorizationException, e.toString());
        }
    }

    @Test
    void shouldLetADenyBeatAnAllow() throws Exception {
        String topic = topic("denied");
        acls.allow(TOPIC, topic, WRITE);
        produce(topic, plainProducer(), 1);
        acls.clear();
        acls.allow(TOPIC, topic, READ, DESCRIBE).deny(TOPIC, topic, READ);

        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            TopicAuthorizationException e =
                    assertThrows(TopicAuthorizationException.class, () -> consumer.poll(WITHIN));
            assertEquals(Set.of(topic), e.unauthorizedTopics());
        }
    }

    @Test
    void shouldLetIdempotentProducersWriteWithWriteOnTheTopicOrIdempotentWriteOnTheCluster() throws Exception {
        String topic = topic("idempotent");
        acls.clear();
        acls.allow(TOPIC, topic, READ);
        try (KafkaProducer<byte[], byte[]> producer = idempotentProducer()) {
            // the refused InitProducerId fails the send's future, or send() itself when it came back first
            Exception e = assertThrows(
                    Exception.class,
                    () -> producer.send(new ProducerRecord<>(topic, "x".getBytes()))
                            .get());
            assertTrue(
                    causes(e).stream().anyMatch(ClusterAuthorizationException.class::isInstance),
                    "InitProducerId needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic: " + e);
        }

        acls.allowOnCluster(IDEMPOTENT_WRITE);
        try (KafkaProducer<byte[], byte[]> producer = idempotentProducer()) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "x".getBytes()))
                            .get());
            assertTrue(
                    e.getCause() instanceof TopicAuthorizationException,
                    "a producer id, then Produce needs WRITE on the topic: " + e);
        }

        acls.clear();
        acls.allow(TOPIC, topic, WRITE);
        produce(topic, idempotentProducer(), 3); // WRITE on a topic is enough for a producer id (KIP-679)
    }

    @Test
    void shouldRequireWriteOnTheTransactionalId() throws Exception {
        String topic = topic("transactional");
        acls.clear();
        acls.allow(TOPIC, topic, WRITE, READ);
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("txn-without-acl")) {
            assertThrows(TransactionalIdAuthorizationException.class, producer::initTransactions);
        }

        acls.allow(TRANSACTIONAL_ID, "txn-with-acl", WRITE);
        // the transaction coordinator writes the markers over its own connection: a broker's, ANONYMOUS too
        acls.allowOnCluster(CLUSTER_ACTION);
        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer("txn-with-acl")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 4; i++) {
                producer.send(new ProducerRecord<>(topic, ("t" + i).getBytes()));
            }
            producer.commitTransaction();
        }
        try (KafkaConsumer<byte[], byte[]> consumer =
                cluster.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            assertEquals(4, pollUntil(consumer, 4).size());
        }
    }

    @Test
    void shouldRefuseCreateTopicsWithoutCreate() throws Exception {
        try (Admin admin = cluster.admin()) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic("not-allowed", 1, (short) 1)))
                            .all()
                            .get());
            assertTrue(e.getCause() instanceof TopicAuthorizationException, e.toString());

            acls.allow(TOPIC, "allowed-here", CREATE);
            CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("allowed-here", 1, (short) 1)));
            created.all().get();
            ExecutionException configs = assertThrows(
                    ExecutionException.class,
                    () -> created.config("allowed-here").get());
            assertTrue(
                    configs.getCause() instanceof TopicAuthorizationException,
                    "the new topic's configs need DESCRIBE_CONFIGS: " + configs);

            acls.allowOnCluster(CREATE);
            admin.createTopics(List.of(new NewTopic("any-name-with-cluster-create", 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    /** Creates a one-partition topic (CREATE and DESCRIBE_CONFIGS granted for it), led once this returns. */
    private String topic(String name) throws Exception {
        acls.allow(TOPIC, name, CREATE, DESCRIBE_CONFIGS);
        cluster.createTopic(name, 1, 1);
        return name;
    }

    private static KafkaProducer<byte[], byte[]> plainProducer() {
        return cluster.producer(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000"));
    }

    private static KafkaProducer<byte[], byte[]> idempotentProducer() {
        return cluster.producer(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000"));
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(String id) {
        return cluster.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000"));
    }

    /** Sends {@code count} records with {@code producer}, then closes it. */
    private static void produce(String topic, KafkaProducer<byte[], byte[]> producer, int count) throws Exception {
        try (producer) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, ("v" + i).getBytes())).get();
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeAssigned(String topic, int count) {
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            return pollUntil(consumer, count);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> pollUntil(KafkaConsumer<byte[], byte[]> consumer, int count) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        return got;
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
