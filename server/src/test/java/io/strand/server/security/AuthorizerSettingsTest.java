package io.strand.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strand.server.AuthorizerSettingsDefinition;
import io.strand.server.Broker;
import io.strand.server.BrokerConfig;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.Authorizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The authorizer settings with Kafka's names: each name Kafka and Strand give the ZooKeeper authorizer
 * turns it on, an empty one leaves it off, any other class (or a super user that is no principal) stops
 * the broker naming the key; and the audit log: a denied explicit request at INFO with who, from where,
 * what, on which resource and for which API, a denied probe only at TRACE, an allowed one at DEBUG.
 */
@ExtendWith(StrandClusterExtension.class)
class AuthorizerSettingsTest {
    @BrokerCluster
    private static StrandTestCluster cluster;

    @Test
    void shouldStartTheZooKeeperAuthorizerUnderEachOfItsNamesAndStopOnAnyOther() throws Exception {
        assertTrue(cluster.broker(1).authorizer().isEmpty(), "authorizer.class.name is empty by default");
        for (String name : AuthorizerSettingsDefinition.ZOOKEEPER_AUTHORIZER_NAMES) {
            Map<String, String> props = new HashMap<>(cluster.brokerProperties(7));
            props.put(AuthorizerSettingsDefinition.AUTHORIZER_CLASS_NAME, name);
            props.put(AuthorizerSettingsDefinition.SUPER_USERS, " User:admin ; User:ops;");
            try (Broker b = new Broker(BrokerConfig.of(props)).start()) {
                Authorizer a = b.authorizer().orElseThrow();
                assertTrue(
                        Requester.user("ops", "10.0.0.1")
                                .may(a, AclOperation.ALTER, ResourceType.CLUSTER, "kafka-cluster"),
                        name);
                assertFalse(Requester.user("alice", "10.0.0.1").may(a, AclOperation.READ, ResourceType.TOPIC, "t"));
            }
        }
        Map<String, String> props = new HashMap<>(cluster.brokerProperties(8));
        props.put(AuthorizerSettingsDefinition.AUTHORIZER_CLASS_NAME, "com.example.MyAuthorizer");
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains("authorizer.class.name"), e.getMessage());
        props.remove(AuthorizerSettingsDefinition.AUTHORIZER_CLASS_NAME);
        props.put(AuthorizerSettingsDefinition.SUPER_USERS, "User:admin;admin");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains("super.users"), e.getMessage());
        props.put(AuthorizerSettingsDefinition.SUPER_USERS, "");
        props.put(AuthorizerSettingsDefinition.ALLOW_EVERYONE_IF_NO_ACL_FOUND, "sometimes");
        e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));
        assertTrue(e.getMessage().contains("allow.everyone.if.no.acl.found"), e.getMessage());
        assertEquals(
                Set.of(new KafkaPrincipal("User", "admin"), new KafkaPrincipal("User", "a:b")),
                AuthorizerConfig.parseSuperUsers("User:admin;;User:a:b"));
    }

    @Test
    void shouldAuditDenialsAtInfoProbesAtTraceAndAllowsAtDebug() throws Exception {
        Map<String, String> props = new HashMap<>(cluster.brokerProperties(9));
        props.put(AuthorizerSettingsDefinition.AUTHORIZER_CLASS_NAME, AuthorizerSettingsDefinition.STRAND_AUTHORIZER);
        props.put(AuthorizerSettingsDefinition.SUPER_USERS, "User:admin");
        Logger audit = (Logger) LoggerFactory.getLogger(AuthorizationAudit.LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        audit.addAppender(lines);
        Level before = audit.getLevel();
        audit.setLevel(Level.TRACE);
        try (Broker b = new Broker(BrokerConfig.of(props)).start()) {
            Authorizer a = b.authorizer().orElseThrow();
            ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, "secret", PatternType.LITERAL);
            Requester alice = Requester.user("alice", "10.0.0.5");
            a.authorize(alice, List.of(new Action(AclOperation.WRITE, topic, 1, true, true)));
            a.authorize(alice, List.of(new Action(AclOperation.DESCRIBE, topic, 1, false, false)));
            a.authorize(
                    Requester.user("admin", "10.0.0.6"), List.of(new Action(AclOperation.READ, topic, 1, true, true)));
        } finally {
            audit.detachAppender(lines);
            audit.setLevel(before);
        }
        List<ILoggingEvent> events = lines.list;
        assertEquals(3, events.size(), events.toString());
        assertEquals(Level.INFO, events.get(0).getLevel());
        assertEquals(
                "Principal = User:alice is Denied operation = WRITE from host = 10.0.0.5 on resource ="
                        + " Topic:LITERAL:secret for request = Produce with resourceRefCount = 1 based on rule DefaultDeny",
                events.get(0).getFormattedMessage());
        assertEquals(Level.TRACE, events.get(1).getLevel(), "a probe (logIfDenied=false) is not an INFO line");
        assertEquals(Level.DEBUG, events.get(2).getLevel());
        assertTrue(events.get(2).getFormattedMessage().contains("User:admin is Allowed operation = READ"));
        assertTrue(events.get(2).getFormattedMessage().endsWith("based on rule SuperUser"));
    }
}
