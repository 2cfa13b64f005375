package io.strand.server.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strand.server.testing.Clients;
import io.strand.server.testing.NettyLeaks;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.TestCertificates;
import io.strand.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The principal of a client certificate, mapped by {@code ssl.principal.mapping.rules}, is what
 * the authorizer checks: on a TLS-only broker with an authorizer, {@code User:admin} (a super user
 * by its certificate) creates a topic and lets {@code User:alice} write to it; alice produces, bob
 * (trusted, but without an ACL) is refused with TOPIC_AUTHORIZATION_FAILED.
 */
class TlsAclTest {
    @TempDir
    Path dir;

    @Test
    void shouldAuthorizeTheMappedNameOfTheClientCertificate() throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        Map<String, String> p = new HashMap<>(TlsTestSupport.brokerSsl(certs, certs.broker("broker")));
        p.put("listeners", "SSL://127.0.0.1:0");
        p.put("security.inter.broker.protocol", "SSL");
        p.put("ssl.client.auth", "required");
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+),OU=Clients,.*$/$1/,DEFAULT");
        p.put("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer");
        p.put("super.users", "User:admin;User:CN=localhost,OU=broker,O=Strand Test");
        try (StrandTestCluster cluster = StrandTestCluster.start(1, p)) {
            String bootstrap = cluster.bootstrapServers("SSL");
            try (Admin admin = admin(bootstrap, certs, certs.client("admin"))) {
                admin.createTopics(List.of(new NewTopic("payments", 1, (short) 1)))
                        .all()
                        .get();
                ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, "payments", PatternType.LITERAL);
                admin.createAcls(List.of(
                                new AclBinding(
                                        topic,
                                        new AccessControlEntry(
                                                "User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW)),
                                new AclBinding(
                                        topic,
                                        new AccessControlEntry(
                                                "User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW))))
                        .all()
                        .get();
            }
            TestCertificates.Identity alice = certs.client("alice");
            Wait.waitUntil("alice may write to payments", Duration.ofSeconds(15), () -> {
                try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, certs, alice)) {
                    producer.send(new ProducerRecord<>("payments", "from alice".getBytes()))
                            .get();
                    return true;
                } catch (ExecutionException e) {
                    return false;
                }
            });
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, certs, certs.client("bob"))) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>("payments", "from bob".getBytes()))
                                .get());
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
            }
            assertEquals(
                    1L,
                    cluster.broker(1)
                            .replicaManager()
                            .partition(new org.apache.kafka.common.TopicPartition("payments", 0))
                            .orElseThrow()
                            .log()
                            .logEndOffset(),
                    "only alice's record is in the log");
        }
        NettyLeaks.check("after " + TlsAclTest.class.getSimpleName(), List.of());
    }

    private static Admin admin(String bootstrap, TestCertificates certs, TestCertificates.Identity who) {
        Map<String, Object> p = new HashMap<>(TlsTestSupport.clientSsl(certs, who));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private static KafkaProducer<byte[], byte[]> producer(
            String bootstrap, TestCertificates certs, TestCertificates.Identity who) {
        Map<String, Object> p = new HashMap<>(TlsTestSupport.clientSsl(certs, who));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        return Clients.producer(bootstrap, p);
    }
}
