package io.strand.server.security.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.Broker;
import io.strand.server.network.RequestContext;
import io.strand.server.testing.Clients;
import io.strand.server.testing.NettyLeaks;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.ProduceConsumeValidator;
import io.strand.testing.SlowTest;
import io.strand.testing.TestCertificates;
import io.strand.testing.Wait;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's Java clients against a 3-broker cluster whose client and inter-broker listener is SSL with
 * client certificates required (a PLAINTEXT listener beside it for nothing but the test's own
 * waiting): produce with acks=all and min.insync.replicas=2 (so replication runs over TLS), consume
 * in a group, create topics, large fetches through the copying path that replaces zero copy under
 * TLS; each request carries its certificate's principal; no, an untrusted and an expired client
 * certificate, and a plaintext client on the TLS port are refused while the others are served;
 * kcat (librdkafka) produces and consumes with a client certificate. Broker 3 runs the OpenSSL
 * engine ({@code strand.ssl.engine=openssl}), brokers 1 and 2 the JDK's: principals and refusals are
 * checked through both, and replication crosses both.
 */
@SlowTest
class TlsClusterTest {
    private static final String CLIENT_DN = "CN=alice,OU=Clients,O=Strand Test";

    @TempDir
    static Path dir;

    private static TestCertificates certs;
    private static TestCertificates.Identity alice;
    private static StrandTestCluster cluster;
    private static String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        NettyLeaks.install();
        certs = TestCertificates.create(dir.resolve("certs"));
        alice = certs.client("alice");
        Map<String, String> p = new HashMap<>(TlsTestSupport.brokerSsl(certs, certs.broker("broker")));
        p.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        p.put("inter.broker.listener.name", "SSL");
        p.put("ssl.client.auth", "required");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("default.replication.factor", "3");
        cluster = StrandTestCluster.start(3, p);
        // broker 3 serves its TLS listener with OpenSSL (strand.ssl.engine), the others with the JDK's
        // engine: replication, the principal and the refusals below go through both
        cluster.stopBroker(3);
        cluster.startBroker(3, Map.of("strand.ssl.engine", "openssl"));
        bootstrap = cluster.bootstrapServers("SSL");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.faults().observeRequests(null);
            cluster.close();
        }
        NettyLeaks.check("after " + TlsClusterTest.class.getSimpleName(), List.of());
    }

    private static Admin admin(TestCertificates.Identity client) {
        return admin(client, bootstrap, null);
    }

    /** An admin client that knows only {@code bootstrapServers} (its first request goes there). */
    private static Admin admin(TestCertificates.Identity client, String bootstrapServers, String clientId) {
        Map<String, Object> p = new HashMap<>(TlsTestSupport.clientSsl(certs, client));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (clientId != null) {
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        }
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(p);
    }

    private static Map<String, Object> ssl(TestCertificates.Identity client, Map<String, Object> more) {
        Map<String, Object> p = new HashMap<>(TlsTestSupport.clientSsl(certs, client));
        p.putAll(more);
        return p;
    }

    @Test
    void shouldCreateProduceWithAcksAllReplicateAndConsumeInAGroupOverTls() throws Exception {
        Map<String, KafkaPrincipal> replicaFetchers = new ConcurrentHashMap<>();
        cluster.faults().observeRequests(ctx -> {
            if (ctx.apiKey() == ApiKeys.FETCH && ctx.clientId().startsWith("strand-replica-fetcher")) {
                replicaFetchers.put(ctx.securityProtocol() + " " + ctx.listenerName(), ctx.principal());
            }
        });
        try (Admin admin = admin(alice)) {
            admin.createTopics(List.of(new NewTopic("tls-orders", 3, (short) 3)))
                    .all()
                    .get();
        }
        ProduceConsumeValidator validator = new ProduceConsumeValidator();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(
                bootstrap, ssl(alice, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5)))) {
            for (int i = 0; i < 300; i++) {
                validator.send(producer, "tls-orders", null, "k" + (i % 17), "v" + i);
            }
            producer.flush();
        }
        validator.assertOnlyRetriableSendFailures();
        assertEquals(300, validator.acknowledgedCount());

        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(
                bootstrap,
                ssl(alice, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "tls-group", "enable.auto.commit", "false")))) {
            consumer.subscribe(List.of("tls-orders"));
            Wait.waitUntil("the group consumer read all 300 records", Duration.ofSeconds(60), () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(validator::consumed);
                return validator.consumedCount() >= 300;
            });
            consumer.commitSync();
        }
        validator.assertEveryAcknowledgedRecordOnceInOrder();
        try (Admin admin = admin(alice)) {
            long committed =
                    admin.listConsumerGroupOffsets("tls-group").partitionsToOffsetAndMetadata().get().values().stream()
                            .mapToLong(o -> o.offset())
                            .sum();
            assertEquals(300, committed, "the group's offsets were committed over TLS");
        }
        Wait.waitUntil(
                "every replica of tls-orders holds all 300 records",
                Duration.ofSeconds(30),
                () -> cluster.brokers().stream().allMatch(b -> endOffsets(b, "tls-orders", 3) == 300));
        assertEquals(
                Map.of("SSL SSL", new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=localhost,OU=broker,O=Strand Test")),
                replicaFetchers,
                "followers fetch over the SSL inter-broker listener with the brokers' certificate");
    }

    @Test
    void shouldCommitTransactionsWhoseMarkersGoOverTheTlsInterBrokerListener() throws Exception {
        Map<String, KafkaPrincipal> markers = new ConcurrentHashMap<>();
        cluster.faults().observeRequests(ctx -> {
            if (ctx.apiKey() == ApiKeys.WRITE_TXN_MARKERS) {
                markers.put(ctx.securityProtocol() + " " + ctx.listenerName(), ctx.principal());
            }
        });
        try (Admin admin = admin(alice)) {
            admin.createTopics(List.of(new NewTopic("tls-txn", 6, (short) 3)))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(
                bootstrap, ssl(alice, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tls-txn-producer")))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 60; i++) {
                producer.send(new ProducerRecord<>("tls-txn", i % 6, null, ("t" + i).getBytes()));
            }
            producer.commitTransaction();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(
                bootstrap, ssl(alice, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")))) {
            ProduceConsumeValidator read = new ProduceConsumeValidator();
            assertEquals(60, read.consumeToEnd(consumer, "tls-txn", 6, Duration.ofSeconds(30)));
        }
        Wait.waitUntil("the commit markers were written", Duration.ofSeconds(10), () -> !markers.isEmpty());
        cluster.faults().observeRequests(null);
        assertEquals(
                Map.of("SSL SSL", new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=localhost,OU=broker,O=Strand Test")),
                markers,
                "the coordinator sends markers over the SSL inter-broker listener with the brokers' certificate");
    }

    private static long endOffsets(Broker b, String topic, int partitions) {
        long sum = 0;
        for (int p = 0; p < partitions; p++) {
            sum += b.replicaManager()
                    .partition(new TopicPartition(topic, p))
                    .map(x -> x.log().logEndOffset())
                    .orElse(0L);
        }
        return sum;
    }

    @Test
    void shouldGiveEachRequestItsClientCertificatesPrincipal() throws Exception {
        Map<String, RequestContext> seen = new ConcurrentHashMap<>();
        cluster.faults().observeRequests(ctx -> seen.putIfAbsent(ctx.clientId(), ctx));
        for (int broker : new int[] {1, 3}) { // the JDK's engine, OpenSSL
            try (Admin admin = admin(alice, sslAddressOf(broker), "alice-via-" + broker)) {
                admin.describeCluster().nodes().get();
            }
        }
        try (Admin plain = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers("PLAINTEXT"),
                AdminClientConfig.CLIENT_ID_CONFIG,
                "plaintext-admin"))) {
            plain.describeCluster().nodes().get();
        }
        cluster.faults().observeRequests(null);
        for (int broker : new int[] {1, 3}) {
            RequestContext tls = seen.get("alice-via-" + broker);
            assertEquals(SecurityProtocol.SSL, tls.securityProtocol());
            assertEquals(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, CLIENT_DN), tls.principal(), "via " + broker);
        }
        RequestContext plain = seen.get("plaintext-admin");
        assertEquals(SecurityProtocol.PLAINTEXT, plain.securityProtocol());
        assertEquals(KafkaPrincipal.ANONYMOUS, plain.principal());
    }

    @Test
    void shouldRefuseClientsWithoutOrWithAnUntrustedOrExpiredCertificateAndServeTheOthers() throws Exception {
        long failuresBefore = handshakeFailures();
        List<TestCertificates.Identity> refused = new ArrayList<>();
        refused.add(null);
        // signed by another CA of the same name: the client presents it, the broker's check refuses it
        refused.add(TestCertificates.create(dir.resolve("other-ca")).client("mallory"));
        refused.add(certs.expiredClient("late"));
        for (TestCertificates.Identity who : refused) {
            for (int broker : new int[] {1, 3}) { // the JDK's engine, OpenSSL
                try (Admin admin = admin(who, sslAddressOf(broker), null)) {
                    ExecutionException e = assertThrows(
                            ExecutionException.class,
                            () -> admin.describeCluster().nodes().get());
                    assertInstanceOf(
                            SslAuthenticationException.class,
                            e.getCause(),
                            (who == null ? "no certificate" : who.name()) + " via broker " + broker + ": "
                                    + e.getCause());
                }
            }
            try (Admin ok = admin(alice)) {
                assertEquals(3, ok.describeCluster().nodes().get().size(), "alice is still served");
            }
        }
        Wait.waitUntil(
                "the six refused handshakes are counted",
                Duration.ofSeconds(10),
                () -> handshakeFailures() >= failuresBefore + 6);
    }

    @Test
    void shouldCloseAPlaintextClientOnTheTlsPortAndServeTheOthers() throws Exception {
        long failuresBefore = handshakeFailures();
        InetSocketAddress tlsPort = cluster.broker(1).boundAddress("SSL");
        try (RawKafkaConnection plaintext = new RawKafkaConnection(tlsPort.getHostString(), tlsPort.getPort())) {
            plaintext.writeFrame(RawKafkaConnection.serialize(
                    new org.apache.kafka.common.requests.RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "plain", 1)
                            .data(),
                    (short) 2,
                    new ApiVersionsRequestData().setClientSoftwareName("plain").setClientSoftwareVersion("1"),
                    (short) 3));
            assertTrue(plaintext.closedByPeer(), "the broker closes a connection that does not speak TLS");
        }
        Wait.waitUntil("the failure is counted", Duration.ofSeconds(10), () -> handshakeFailures() > failuresBefore);
        try (Admin ok = admin(alice)) {
            assertEquals(3, ok.describeCluster().nodes().get().size());
        }
    }

    private static String sslAddressOf(int broker) {
        InetSocketAddress a = cluster.broker(broker).boundAddress("SSL");
        return a.getHostString() + ":" + a.getPort();
    }

    private static long handshakeFailures() {
        return cluster.brokers().stream()
                .mapToLong(b -> b.metrics()
                        .registry()
                        .meter("network.tls-handshake-failures")
                        .getCount())
                .sum();
    }

    @Test
    void shouldFetchLargeRecordsIntactThroughTheCopyingPathUnderTls() throws Exception {
        try (Admin admin = admin(alice)) {
            admin.createTopics(List.of(new NewTopic("tls-large", 1, (short) 3)))
                    .all()
                    .get();
        }
        Random random = new Random(16);
        List<byte[]> digests = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(
                bootstrap,
                ssl(
                        alice,
                        Map.of(
                                ProducerConfig.ACKS_CONFIG, "all",
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000,
                                ProducerConfig.BATCH_SIZE_CONFIG, 1_000_000,
                                ProducerConfig.LINGER_MS_CONFIG, 20,
                                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none")))) {
            for (int i = 0; i < 120; i++) {
                byte[] value = new byte[100_000 + random.nextInt(100_000)];
                random.nextBytes(value);
                digests.add(MessageDigest.getInstance("SHA-256").digest(value));
                producer.send(new ProducerRecord<>("tls-large", 0, null, value));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition("tls-large", 0);
        List<byte[]> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(
                bootstrap,
                ssl(
                        alice,
                        Map.of(
                                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
                                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20,
                                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000)))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Wait.waitUntil("all 120 large records are read over TLS", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(read.size(), r.offset(), "offsets in order, none skipped");
                    read.add(MessageDigest.getInstance("SHA-256").digest(r.value()));
                }
                return read.size() >= 120;
            });
        }
        for (int i = 0; i < 120; i++) {
            assertArrayEquals(digests.get(i), read.get(i), "record " + i + " came back intact");
        }
        Wait.waitUntil(
                "the followers fetched the ~18 MB over TLS",
                Duration.ofSeconds(30),
                () -> cluster.brokers().stream().allMatch(b -> endOffsets(b, "tls-large", 1) == 120));
    }

    @Test
    void shouldProduceAndConsumeWithKcatOverTlsWithAClientCertificate() throws Exception {
        assertTrue(onPath("kcat"), "kcat must be on PATH (bin/strand-test installs it)");
        TestCertificates.Identity bob = certs.client("bob");
        List<String> tls = List.of(
                "-X", "security.protocol=ssl",
                "-X", "ssl.ca.location=" + certs.caPem(),
                "-X", "ssl.certificate.location=" + bob.certificatePem(),
                "-X", "ssl.key.location=" + bob.keyPem());
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            lines.append("key-").append(i).append(":kcat-").append(i).append('\n');
        }
        List<String> produce = new ArrayList<>(List.of("kcat", "-b", bootstrap, "-P", "-t", "tls-kcat", "-K:"));
        produce.addAll(tls);
        produce.addAll(List.of("-X", "acks=all", "-X", "message.timeout.ms=30000"));
        run(produce, lines.toString());

        List<String> consume =
                new ArrayList<>(List.of("kcat", "-b", bootstrap, "-C", "-t", "tls-kcat", "-o", "beginning", "-e"));
        consume.addAll(List.of("-f", "%k=%s\n"));
        consume.addAll(tls);
        Set<String> read = new HashSet<>(List.of(run(consume, null).split("\n")));
        for (int i = 0; i < 100; i++) {
            assertTrue(read.contains("key-" + i + "=kcat-" + i), "kcat read back record " + i);
        }

        // without its certificate kcat is refused
        List<String> noCertificate = new ArrayList<>(List.of(
                "kcat",
                "-b",
                bootstrap,
                "-L",
                "-m",
                "5",
                "-X",
                "security.protocol=ssl",
                "-X",
                "ssl.ca.location=" + certs.caPem()));
        Process p = new ProcessBuilder(noCertificate).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kcat -L finished");
        assertTrue(p.exitValue() != 0, "kcat without a certificate fails:\n" + out);
    }

    /** Runs {@code command} (stdin from {@code stdin} unless null) and returns its standard output; fails on exit status. */
    private static String run(List<String> command, String stdin) throws Exception {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + command);
        assertEquals(0, p.exitValue(), command + " failed:\n" + out + Files.readString(err));
        return out;
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void shouldNotShowTheKeystorePasswordsInDescribeConfigs() throws Exception {
        try (Admin admin = admin(alice)) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            for (String key : List.of("ssl.keystore.password", "ssl.key.password", "ssl.truststore.password")) {
                ConfigEntry e = config.get(key);
                assertTrue(e.isSensitive(), key + " is sensitive");
                assertNull(e.value(), key + " has no value in the answer");
                e.synonyms().forEach(s -> assertNull(s.value(), key + " synonym " + s.source()));
            }
            assertEquals(
                    "required", config.get("ssl.client.auth").value(), "other TLS settings are described as they are");
        }
    }
}
