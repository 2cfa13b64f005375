package io.strand.coordinator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's ZooKeeper security settings (and Strand's digest credentials file) become the client
 * options every Strand ZooKeeper client is built with; a setting that cannot work stops the start
 * with a message naming the key, and no password shows in a message or in the options' text.
 */
class ZooKeeperSecuritySettingsDefinitionTest {
    @TempDir
    Path dir;

    @Test
    void shouldBuildAPlainClientByDefault() {
        ZooKeeperClientOptions o = ZooKeeperSecuritySettingsDefinition.fromProperties(
                Map.of("zookeeper.connect", "127.0.0.1:2181/strand", "broker.id", "1"));
        assertFalse(o.setAcl());
        assertTrue(o.digestCredentials().isEmpty());
        assertNull(o.zkClientConfig());
        assertFalse(o.authenticates());
    }

    @Test
    void shouldReadTheDigestCredentialsFile() throws Exception {
        Path file = Files.writeString(dir.resolve("zk.digest"), "# broker identity\n  broker:pa:ss word \n");
        ZooKeeperClientOptions o = ZooKeeperSecuritySettingsDefinition.fromProperties(
                Map.of("zookeeper.set.acl", "true", "zookeeper.digest.credentials.file", file.toString()));
        assertTrue(o.setAcl());
        assertEquals(
                new DigestCredentials("broker", "pa:ss word"),
                o.digestCredentials().orElseThrow());
        assertFalse(o.toString().contains("pa:ss"), o.toString());
        assertTrue(o.toString().contains("'broker'"), o.toString());
    }

    @Test
    void shouldRefuseSetAclWithoutAnIdentity() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ZooKeeperSecuritySettingsDefinition.fromProperties(Map.of("zookeeper.set.acl", "true")));
        assertTrue(e.getMessage().contains("zookeeper.set.acl"), e.getMessage());
        assertTrue(e.getMessage().contains("zookeeper.digest.credentials.file"), e.getMessage());
    }

    @Test
    void shouldNameTheKeyOfACredentialsFileThatCannotWorkWithoutQuotingIt() throws Exception {
        ConfigException missing = assertThrows(
                ConfigException.class,
                () -> ZooKeeperSecuritySettingsDefinition.fromProperties(Map.of(
                        "zookeeper.digest.credentials.file",
                        dir.resolve("absent").toString())));
        assertTrue(missing.getMessage().contains("zookeeper.digest.credentials.file"), missing.getMessage());

        Path noColon = Files.writeString(dir.resolve("bad"), "justapassword\n");
        ConfigException bad = assertThrows(
                ConfigException.class,
                () -> ZooKeeperSecuritySettingsDefinition.fromProperties(
                        Map.of("zookeeper.digest.credentials.file", noColon.toString())));
        assertTrue(bad.getMessage().contains("zookeeper.digest.credentials.file"), bad.getMessage());
        assertFalse(bad.getMessage().contains("justapassword"), bad.getMessage());
    }

    @Test
    void shouldMapKafkasTlsSettingsToZooKeeperClientProperties() throws Exception {
        Path keystore = Files.writeString(dir.resolve("client.p12"), "");
        Path truststore = Files.writeString(dir.resolve("trust.p12"), "");
        ZooKeeperClientOptions o = ZooKeeperSecuritySettingsDefinition.fromProperties(Map.of(
                "zookeeper.set.acl", "true",
                "zookeeper.ssl.client.enable", "true",
                "zookeeper.ssl.keystore.location", keystore.toString(),
                "zookeeper.ssl.keystore.password", "key-secret",
                "zookeeper.ssl.keystore.type", "PKCS12",
                "zookeeper.ssl.truststore.location", truststore.toString(),
                "zookeeper.ssl.truststore.password", "trust-secret",
                "zookeeper.ssl.enabled.protocols", "TLSv1.3,TLSv1.2",
                "zookeeper.ssl.endpoint.identification.algorithm", ""));
        assertTrue(o.tls());
        assertTrue(o.authenticates(), "a client certificate is an identity");
        ZKClientConfig c = o.zkClientConfig();
        assertEquals("true", c.getProperty("zookeeper.client.secure"));
        assertEquals("org.apache.zookeeper.ClientCnxnSocketNetty", c.getProperty("zookeeper.clientCnxnSocket"));
        assertEquals(keystore.toString(), c.getProperty("zookeeper.ssl.keyStore.location"));
        assertEquals("key-secret", c.getProperty("zookeeper.ssl.keyStore.password"));
        assertEquals("PKCS12", c.getProperty("zookeeper.ssl.keyStore.type"));
        assertEquals(truststore.toString(), c.getProperty("zookeeper.ssl.trustStore.location"));
        assertEquals("trust-secret", c.getProperty("zookeeper.ssl.trustStore.password"));
        assertEquals("TLSv1.3,TLSv1.2", c.getProperty("zookeeper.ssl.enabledProtocols"));
        assertEquals("false", c.getProperty("zookeeper.ssl.hostnameVerification"));
        assertFalse(o.toString().contains("secret"), o.toString());
    }

    @Test
    void shouldRefuseTlsOverASocketThatCannotDoIt() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ZooKeeperSecuritySettingsDefinition.fromProperties(Map.of(
                        "zookeeper.ssl.client.enable", "true",
                        "zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNIO")));
        assertTrue(e.getMessage().contains("zookeeper.clientCnxnSocket"), e.getMessage());

        ConfigException noKeystore = assertThrows(
                ConfigException.class,
                () -> ZooKeeperSecuritySettingsDefinition.fromProperties(Map.of(
                        "zookeeper.ssl.client.enable",
                        "true",
                        "zookeeper.ssl.keystore.location",
                        dir.resolve("absent.p12").toString())));
        assertTrue(noKeystore.getMessage().contains("zookeeper.ssl.keystore.location"), noKeystore.getMessage());
    }
}
