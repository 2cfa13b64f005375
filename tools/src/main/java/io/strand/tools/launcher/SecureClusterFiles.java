package io.strand.tools.launcher;

import io.strand.coordinator.security.DigestCredentials;
import io.strand.coordinator.security.ZooKeeperSecuritySettingsDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The security files of {@code bin/strand-cluster start --secure}, generated with the JDK alone into
 * {@code D/security/} (directory and files readable by the owner only):
 *
 * <pre>
 * ca.p12, ca.pem              the cluster's self-signed CA (key kept to sign brokers added later)
 * truststore.p12              the CA certificate: what brokers and clients trust (password also
 *                             alone in truststore.password, for ZooKeeper's passwordPath)
 * broker-&lt;i&gt;.p12             broker i's key and certificate (CN=broker-i, SAN DNS:localhost,
 *                             IP:127.0.0.1) with the CA, alias broker-i
 * zookeeper.p12               a certificate for ZooKeeper's TLS port (CN=zookeeper, same names;
 *                             zk-config/zoo-tls.cfg), password in zookeeper.keystore.password
 * client.p12, client.pem,     a client certificate signed by the CA (CN=client), for TLS
 * client.key                  client authentication; PEM copies for non-Java clients
 * secrets.properties          every password: stores, the SCRAM users admin and broker
 * zookeeper.digest            broker:password, the brokers' ZooKeeper digest credentials
 * </pre>
 *
 * and {@code D/client-admin.properties}: Kafka client properties of the {@code admin} super user
 * over SASL_SSL with SCRAM-SHA-512, for {@code kafka-topics --command-config} and the like. What
 * exists is kept (a second start, or brokers added later, reuse the CA and the passwords); what is
 * missing is created. Passwords are random (24 letters and digits) and appear in no output.
 *
 * <p>The broker settings that use these files are in {@link #brokerSecuritySettings} (TLS, SASL,
 * authorizer: the merge point with the broker's listener work) and {@link #zooKeeperSettings}.
 *
 * <p>Not thread-safe: one per launcher run, on the launcher's thread.
 */
final class SecureClusterFiles {
    static final String ADMIN_USER = "admin";
    static final String BROKER_USER = "broker";
    static final String ZOOKEEPER_USER = "broker";
    static final String STORE_TYPE = "PKCS12";

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration CERT_VALIDITY = Duration.ofDays(825);
    private static final String CA_ALIAS = "ca";
    private static final String CA_PASSWORD = "ca.password";
    private static final String TRUSTSTORE_PASSWORD = "truststore.password";
    private static final String CLIENT_KEYSTORE_PASSWORD = "client.keystore.password";
    private static final String ADMIN_PASSWORD = "admin.password";
    private static final String BROKER_PASSWORD = "broker.password";
    private static final String ZOOKEEPER_PASSWORD = "zookeeper.password";
    private static final String ZOOKEEPER_KEYSTORE_PASSWORD = "zookeeper.keystore.password";
    private static final char[] PASSWORD_CHARS =
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private final ClusterLayout layout;
    private final SecureRandom random;
    private final Properties secrets = new Properties();
    private boolean secretsLoaded;

    SecureClusterFiles(ClusterLayout layout) {
        this(layout, new SecureRandom());
    }

    SecureClusterFiles(ClusterLayout layout, SecureRandom random) {
        this.layout = layout;
        this.random = random;
    }

    Path dir() {
        return layout.securityDir();
    }

    Path caKeystore() {
        return dir().resolve("ca.p12");
    }

    Path caPem() {
        return dir().resolve("ca.pem");
    }

    Path truststore() {
        return dir().resolve("truststore.p12");
    }

    Path truststorePasswordFile() {
        return dir().resolve("truststore.password");
    }

    Path brokerKeystore(int id) {
        return dir().resolve("broker-" + id + ".p12");
    }

    Path zooKeeperKeystore() {
        return dir().resolve("zookeeper.p12");
    }

    /** The password of {@link #zooKeeperKeystore()} alone, for ZooKeeper's {@code ssl.keyStore.passwordPath}. */
    Path zooKeeperKeystorePasswordFile() {
        return dir().resolve("zookeeper.keystore.password");
    }

    Path clientKeystore() {
        return dir().resolve("client.p12");
    }

    Path clientPem() {
        return dir().resolve("client.pem");
    }

    Path clientKey() {
        return dir().resolve("client.key");
    }

    Path secretsFile() {
        return dir().resolve("secrets.properties");
    }

    Path zooKeeperDigest() {
        return dir().resolve("zookeeper.digest");
    }

    /**
     * Creates what is missing of the files for brokers {@code brokerIds} and (re)writes {@code
     * client-admin.properties}.
     */
    void ensure(List<Integer> brokerIds) throws IOException, GeneralSecurityException {
        Files.createDirectories(
                dir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwx------"));
        CertificateIssuer ca = authority();
        if (!Files.exists(truststore())) {
            KeyStore trust = emptyStore();
            trust.setCertificateEntry(CA_ALIAS, ca.certificate());
            store(trust, truststore(), truststorePassword());
            writePrivate(truststorePasswordFile(), truststorePassword());
        }
        List<InetAddress> loopback = List.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        for (int id : brokerIds) {
            if (!Files.exists(brokerKeystore(id))) {
                CertificateIssuer.Issued cert = ca.issue("broker-" + id, List.of("localhost"), loopback, CERT_VALIDITY);
                writeKeystore(brokerKeystore(id), "broker-" + id, cert, ca, brokerKeystorePassword(id));
            }
        }
        if (!Files.exists(zooKeeperKeystore())) {
            CertificateIssuer.Issued cert = ca.issue("zookeeper", List.of("localhost"), loopback, CERT_VALIDITY);
            writeKeystore(zooKeeperKeystore(), "zookeeper", cert, ca, zooKeeperKeystorePassword());
            writePrivate(zooKeeperKeystorePasswordFile(), zooKeeperKeystorePassword());
        }
        if (!Files.exists(clientKeystore())) {
            CertificateIssuer.Issued cert = ca.issue("client", List.of(), List.of(), CERT_VALIDITY);
            writeKeystore(clientKeystore(), "client", cert, ca, clientKeystorePassword());
            writePrivate(
                    clientPem(),
                    pem("CERTIFICATE", cert.certificate().getEncoded())
                            + pem("CERTIFICATE", ca.certificate().getEncoded()));
            writePrivate(
                    clientKey(), pem("PRIVATE KEY", cert.keys().getPrivate().getEncoded()));
        }
        if (!Files.exists(zooKeeperDigest())) {
            writePrivate(zooKeeperDigest(), zooKeeperCredentials().fileText());
        }
        writePrivate(
                layout.clientAdminProperties(),
                propertiesText(
                        "Kafka client properties of the admin super user of the cluster in " + layout.dir()
                                + " (bin/strand-cluster start --secure), e.g. kafka-topics --command-config <this file>",
                        adminClientProperties()));
    }

    /** The Kafka client properties of {@link #ADMIN_USER} over SASL_SSL with SCRAM-SHA-512 (client-admin.properties). */
    Map<String, String> adminClientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", scramJaas(ADMIN_USER, adminPassword()));
        p.put("ssl.truststore.location", truststore().toString());
        p.put("ssl.truststore.password", truststorePassword());
        p.put("ssl.truststore.type", STORE_TYPE);
        return p;
    }

    /** The ZooKeeper settings of every broker: ACLs on, the digest credentials file. Accepted by the broker as they are. */
    Map<String, String> zooKeeperSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(ZooKeeperSecuritySettingsDefinition.ZK_SET_ACL, "true");
        s.put(
                ZooKeeperSecuritySettingsDefinition.ZK_DIGEST_CREDENTIALS_FILE,
                zooKeeperDigest().toString());
        return s;
    }

    /**
     * MERGE POINT (issue 16: listeners, TLS, SASL, authorizer). Broker {@code id}'s settings of a
     * secured local cluster, with Kafka's names: one SASL_SSL listener on 127.0.0.1:{@code port} for
     * clients and for inter-broker traffic (the broker authenticates to the others as SCRAM user
     * {@value #BROKER_USER}), its keystore and the cluster's truststore, SCRAM-SHA-256/512 and PLAIN
     * enabled, Kafka's ZooKeeper-mode authorizer with {@code admin} and {@code broker} as super users
     * and no access without an ACL. Adjust here to the names the broker's security work accepts.
     */
    Map<String, String> brokerSecuritySettings(int id, int port) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listeners", "SASL_SSL://127.0.0.1:" + port);
        s.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL");
        s.put("inter.broker.listener.name", "SASL_SSL");
        s.put("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512,PLAIN");
        s.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        s.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scramJaas(BROKER_USER, brokerPassword()));
        s.put(
                "listener.name.sasl_ssl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BROKER_USER
                        + "\" password=\"" + brokerPassword() + "\" user_" + BROKER_USER + "=\"" + brokerPassword()
                        + "\" user_" + ADMIN_USER + "=\"" + adminPassword() + "\";");
        s.put("ssl.keystore.location", brokerKeystore(id).toString());
        s.put("ssl.keystore.password", brokerKeystorePassword(id));
        s.put("ssl.keystore.type", STORE_TYPE);
        s.put("ssl.key.password", brokerKeystorePassword(id));
        s.put("ssl.truststore.location", truststore().toString());
        s.put("ssl.truststore.password", truststorePassword());
        s.put("ssl.truststore.type", STORE_TYPE);
        s.put("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer");
        s.put("super.users", "User:" + ADMIN_USER + ";User:" + BROKER_USER);
        s.put("allow.everyone.if.no.acl.found", "false");
        return s;
    }

    String adminPassword() {
        return secret(ADMIN_PASSWORD);
    }

    /** The SCRAM (and PLAIN) password of the inter-broker user {@value #BROKER_USER}. */
    String brokerPassword() {
        return secret(BROKER_PASSWORD);
    }

    String truststorePassword() {
        return secret(TRUSTSTORE_PASSWORD);
    }

    String brokerKeystorePassword(int id) {
        return secret("broker." + id + ".keystore.password");
    }

    String zooKeeperKeystorePassword() {
        return secret(ZOOKEEPER_KEYSTORE_PASSWORD);
    }

    String clientKeystorePassword() {
        return secret(CLIENT_KEYSTORE_PASSWORD);
    }

    DigestCredentials zooKeeperCredentials() {
        return new DigestCredentials(ZOOKEEPER_USER, secret(ZOOKEEPER_PASSWORD));
    }

    /** The JAAS line of a SCRAM user, as Kafka's clients and brokers read it. */
    static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** A secret of secrets.properties, generated (and the file rewritten) the first time it is asked for. */
    private String secret(String key) {
        if (!secretsLoaded) {
            try {
                loadSecrets();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + secretsFile(), e);
            }
            secretsLoaded = true;
        }
        String v = secrets.getProperty(key);
        if (v == null) {
            v = password();
            secrets.setProperty(key, v);
            try {
                Map<String, String> all = new TreeMap<>();
                secrets.stringPropertyNames().forEach(k -> all.put(k, secrets.getProperty(k)));
                writePrivate(
                        secretsFile(),
                        propertiesText(
                                "Passwords of the secured cluster in " + layout.dir()
                                        + " (bin/strand-cluster start --secure)",
                                all));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + secretsFile(), e);
            }
        }
        return v;
    }

    private void loadSecrets() throws IOException {
        if (Files.exists(secretsFile())) {
            try (InputStream in = Files.newInputStream(secretsFile())) {
                secrets.load(in);
            }
        }
    }

    private String password() {
        char[] p = new char[24];
        for (int i = 0; i < p.length; i++) {
            p[i] = PASSWORD_CHARS[random.nextInt(PASSWORD_CHARS.length)];
        }
        return new String(p);
    }

    /** The cluster's CA: loaded from ca.p12, or created (with ca.pem) when there is none. */
    private CertificateIssuer authority() throws IOException, GeneralSecurityException {
        char[] password = secret(CA_PASSWORD).toCharArray();
        if (Files.exists(caKeystore())) {
            KeyStore ks = KeyStore.getInstance(STORE_TYPE);
            try (InputStream in = Files.newInputStream(caKeystore())) {
                ks.load(in, password);
            }
            Key key = ks.getKey(CA_ALIAS, password);
            if (!(key instanceof PrivateKey privateKey)) {
                throw new GeneralSecurityException(caKeystore() + " holds no CA key under alias " + CA_ALIAS);
            }
            return CertificateIssuer.of(privateKey, (X509Certificate) ks.getCertificate(CA_ALIAS), random);
        }
        CertificateIssuer ca = CertificateIssuer.newAuthority("Strand local CA " + layout.dir(), CA_VALIDITY, random);
        KeyStore ks = emptyStore();
        ks.setKeyEntry(CA_ALIAS, ca.privateKey(), password, new Certificate[] {ca.certificate()});
        store(ks, caKeystore(), secret(CA_PASSWORD));
        writePrivate(caPem(), pem("CERTIFICATE", ca.certificate().getEncoded()));
        return ca;
    }

    private void writeKeystore(
            Path file, String alias, CertificateIssuer.Issued cert, CertificateIssuer ca, String password)
            throws IOException, GeneralSecurityException {
        KeyStore ks = emptyStore();
        ks.setKeyEntry(alias, cert.keys().getPrivate(), password.toCharArray(), new Certificate[] {
            cert.certificate(), ca.certificate()
        });
        store(ks, file, password);
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(STORE_TYPE);
        ks.load(null, null);
        return ks;
    }

    private static void store(KeyStore ks, Path file, String password) throws IOException, GeneralSecurityException {
        Path tmp = privateTemp(file);
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password.toCharArray());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes {@code text} to {@code file}, readable and writable by the owner only, replacing it. */
    static void writePrivate(Path file, String text) throws IOException {
        Path tmp = privateTemp(file);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path privateTemp(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        return Files.createFile(
                tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static String propertiesText(String comment, Map<String, String> values) {
        StringBuilder b = new StringBuilder("# ").append(comment).append('\n');
        values.forEach(
                (k, v) -> b.append(k).append('=').append(ClusterFiles.escape(v)).append('\n'));
        return b.toString();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
