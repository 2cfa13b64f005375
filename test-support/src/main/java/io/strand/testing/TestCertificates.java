package io.strand.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * Certificates for TLS tests, made at test time with the JDK's public API only (no keytool
 * processes, no third-party library): a CA, and certificates it signs — a broker's (SAN
 * {@code IP:127.0.0.1}, {@code DNS:localhost}), clients', an expired one — plus untrusted
 * self-signed ones. Keys are EC P-256 (milliseconds to make). Each identity is written on demand as
 * a PKCS12 or JKS keystore, a PEM keystore (key and chain in one file, Kafka's {@code
 * ssl.keystore.type=PEM}), or separate PEM certificate and key files (for librdkafka/kcat); the CA
 * as a truststore or a PEM file. Every store and key uses {@link #PASSWORD}.
 *
 * <p>Not thread-safe: make and use from one test thread.
 */
public final class TestCertificates {
    /** The password of every keystore, truststore and key written here. */
    public static final String PASSWORD = "strand-test-password";

    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Identity ca;

    private TestCertificates(Path dir, Identity ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** A new CA ({@code CN=Strand Test CA}) whose files go to {@code dir}. */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPair keys = newKeyPair();
            X500Principal name = new X500Principal("CN=Strand Test CA,O=Strand Test");
            Instant now = Instant.now();
            X509Certificate cert = sign(
                    name,
                    keys.getPublic(),
                    name,
                    keys.getPrivate(),
                    keys.getPublic(),
                    now.minus(Duration.ofDays(1)),
                    now.plus(Duration.ofDays(365)),
                    List.of(),
                    true);
            return new TestCertificates(dir, new Identity(dir, "ca", keys.getPrivate(), List.of(cert)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The CA's certificate and key (it signs every non-self-signed identity here). */
    public Identity ca() {
        return ca;
    }

    /** The CA's certificate as a PEM file (librdkafka's {@code ssl.ca.location}, Kafka's PEM truststore). */
    public Path caPem() {
        return ca.certificatePem();
    }

    /** A truststore ({@code PKCS12} or {@code JKS}) holding the CA's certificate only (written once). */
    public Path truststore(String type) {
        Path file = dir.resolve("truststore." + extension(type));
        return Files.exists(file) ? file : writeTruststore(file, type, ca.certificate());
    }

    /** A broker's certificate: {@code CN=localhost}, SAN {@code IP:127.0.0.1, DNS:localhost}, valid for a year. */
    public Identity broker(String name) {
        return issue(
                name,
                "CN=localhost,OU=" + name + ",O=Strand Test",
                List.of("IP:127.0.0.1", "DNS:localhost"),
                Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
    }

    /** A client's certificate with subject {@code CN=<cn>,OU=Clients,O=Strand Test}, valid for a year. */
    public Identity client(String cn) {
        return issue(
                cn,
                "CN=" + cn + ",OU=Clients,O=Strand Test",
                List.of(),
                Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
    }

    /** A client's certificate, signed by this CA, that expired yesterday. */
    public Identity expiredClient(String cn) {
        return issue(
                cn,
                "CN=" + cn + ",OU=Clients,O=Strand Test",
                List.of(),
                Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)));
    }

    /** A certificate for {@code dn} signed by this CA; {@code sans} like {@code IP:127.0.0.1} or {@code DNS:host}. */
    public Identity issue(String name, String dn, List<String> sans, Instant notBefore, Instant notAfter) {
        KeyPair keys = newKeyPair();
        X509Certificate cert = sign(
                new X500Principal(dn),
                keys.getPublic(),
                ca.certificate().getSubjectX500Principal(),
                ca.key(),
                ca.certificate().getPublicKey(),
                notBefore,
                notAfter,
                sans,
                false);
        return new Identity(dir, name, keys.getPrivate(), List.of(cert, ca.certificate()));
    }

    /** A self-signed certificate no truststore here trusts. */
    public Identity selfSigned(String name, String dn) {
        KeyPair keys = newKeyPair();
        X500Principal subject = new X500Principal(dn);
        X509Certificate cert = sign(
                subject,
                keys.getPublic(),
                subject,
                keys.getPrivate(),
                keys.getPublic(),
                Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)),
                List.of("IP:127.0.0.1", "DNS:localhost"),
                false);
        return new Identity(dir, name, keys.getPrivate(), List.of(cert));
    }

    /**
     * A certificate and its private key (and the chain up to the CA), writable in the forms Kafka
     * and librdkafka read.
     */
    public record Identity(Path dir, String name, PrivateKey key, List<X509Certificate> chain) {
        public X509Certificate certificate() {
            return chain.get(0);
        }

        /**
         * A keystore ({@code PKCS12} or {@code JKS}) at {@code <dir>/<name>.p12|.jks}, alias {@code
         * name}; written on the first call, the same file after.
         */
        public Path keystore(String type) {
            Path file = dir.resolve(name + "." + extension(type));
            return Files.exists(file) ? file : writeKeystore(file, type);
        }

        /**
         * Writes this identity's keystore to {@code target} atomically (written beside it, then
         * moved over it), as an operator replacing a certificate would.
         */
        public Path writeKeystore(Path target, String type) {
            try {
                KeyStore ks = KeyStore.getInstance(type);
                ks.load(null, null);
                ks.setKeyEntry(name, key, PASSWORD.toCharArray(), chain.toArray(new X509Certificate[0]));
                Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    ks.store(out, PASSWORD.toCharArray());
                }
                return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The unencrypted PKCS#8 key and the chain in one PEM file (Kafka's {@code ssl.keystore.type=PEM}). */
        public Path pemKeystore() {
            return write(dir.resolve(name + "-keystore.pem"), keyPemText() + chainPemText());
        }

        /** The certificate chain as PEM (librdkafka's {@code ssl.certificate.location}). */
        public Path certificatePem() {
            return write(dir.resolve(name + "-cert.pem"), chainPemText());
        }

        /** The unencrypted PKCS#8 private key as PEM (librdkafka's {@code ssl.key.location}). */
        public Path keyPem() {
            return write(dir.resolve(name + "-key.pem"), keyPemText());
        }

        private String keyPemText() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        private String chainPemText() {
            StringBuilder sb = new StringBuilder();
            for (X509Certificate c : chain) {
                try {
                    sb.append(pem("CERTIFICATE", c.getEncoded()));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
            return sb.toString();
        }
    }

    private static Path writeTruststore(Path target, String type, X509Certificate trusted) {
        try {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(null, null);
            ks.setCertificateEntry("ca", trusted);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, PASSWORD.toCharArray());
            }
            return Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String extension(String type) {
        return type.equalsIgnoreCase("JKS") ? "jks" : "p12";
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An X.509 v3 certificate for {@code subject}'s key, signed with the issuer's key (ECDSA with SHA-256). */
    private static X509Certificate sign(
            X500Principal subject,
            PublicKey subjectKey,
            X500Principal issuer,
            PrivateKey issuerKey,
            PublicKey issuerPublicKey,
            Instant notBefore,
            Instant notAfter,
            List<String> sans,
            boolean isCa) {
        try {
            byte[] algorithm = Der.sequence(Der.oid(ECDSA_SHA256));
            List<byte[]> extensions = new ArrayList<>();
            extensions.add(extension("2.5.29.19", true, isCa ? Der.sequence(Der.bool(true)) : Der.sequence()));
            if (isCa) {
                // keyCertSign and cRLSign
                extensions.add(extension("2.5.29.15", true, Der.tlv(0x03, new byte[] {0x01, 0x06})));
            }
            extensions.add(extension("2.5.29.14", false, Der.octets(keyId(subjectKey))));
            extensions.add(extension("2.5.29.35", false, Der.sequence(Der.tlv(0x80, keyId(issuerPublicKey)))));
            if (!sans.isEmpty()) {
                List<byte[]> names = new ArrayList<>();
                for (String san : sans) {
                    if (san.startsWith("IP:")) {
                        names.add(Der.tlv(
                                0x87, InetAddress.getByName(san.substring(3)).getAddress()));
                    } else if (san.startsWith("DNS:")) {
                        names.add(Der.tlv(0x82, san.substring(4).getBytes(StandardCharsets.US_ASCII)));
                    } else {
                        throw new IllegalArgumentException("SAN " + san + ": expected IP:... or DNS:...");
                    }
                }
                extensions.add(extension("2.5.29.17", false, Der.sequence(names.toArray(new byte[0][]))));
            }
            byte[] tbs = Der.sequence(
                    Der.explicit(0, Der.integer(BigInteger.TWO)),
                    Der.integer(new BigInteger(64, RANDOM).add(BigInteger.ONE)),
                    algorithm,
                    issuer.getEncoded(),
                    Der.sequence(Der.time(notBefore), Der.time(notAfter)),
                    subject.getEncoded(),
                    subjectKey.getEncoded(),
                    Der.explicit(3, Der.sequence(extensions.toArray(new byte[0][]))));
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(issuerKey);
            s.update(tbs);
            byte[] der = Der.sequence(tbs, algorithm, Der.bits(s.sign()));
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
                : Der.sequence(Der.oid(oid), Der.octets(value));
    }

    /** RFC 5280's method 1 key identifier: SHA-1 of the subject public key bits. */
    private static byte[] keyId(PublicKey key) throws GeneralSecurityException {
        byte[] spki = key.getEncoded();
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, BIT STRING }: hash the BIT STRING's bytes
        int[] pos = {0};
        skipHeader(spki, pos); // into the outer SEQUENCE
        pos[0] += skipHeader(spki, pos); // over the algorithm
        int bitsLen = skipHeader(spki, pos);
        byte[] keyBits = java.util.Arrays.copyOfRange(spki, pos[0] + 1, pos[0] + bitsLen);
        return MessageDigest.getInstance("SHA-1").digest(keyBits);
    }

    /** Reads a DER tag and length at {@code pos[0]}, leaves {@code pos[0]} at the content, returns its length. */
    private static int skipHeader(byte[] der, int[] pos) {
        pos[0]++; // tag
        int first = der[pos[0]++] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int len = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            len = (len << 8) | (der[pos[0]++] & 0xFF);
        }
        return len;
    }
}
