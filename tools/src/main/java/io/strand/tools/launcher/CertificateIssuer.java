package io.strand.tools.launcher;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A small certificate authority built with the JDK alone: a self-signed CA certificate and the
 * certificates it signs for brokers and clients — X.509 v3, EC P-256 keys, ECDSA with SHA-256, with
 * the extensions TLS peers check (basic constraints, key usage, extended key usage serverAuth and
 * clientAuth, subject alternative names, key identifiers). Every certificate is parsed back with
 * the JDK's {@link CertificateFactory} and its signature verified before it is returned.
 *
 * <p>Not thread-safe (one per launcher run).
 */
final class CertificateIssuer {
    /** An issued certificate with its key pair. */
    record Issued(KeyPair keys, X509Certificate certificate) {}

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String ORGANIZATION = "2.5.4.10";
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String AUTHORITY_KEY_ID = "2.5.29.35";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final SecureRandom random;
    private final Issued ca;

    private CertificateIssuer(SecureRandom random, Issued ca) {
        this.random = random;
        this.ca = ca;
    }

    /** A new CA named {@code commonName}, valid for {@code validity} from an hour ago. */
    static CertificateIssuer newAuthority(String commonName, Duration validity, SecureRandom random)
            throws GeneralSecurityException {
        KeyPair keys = keyPair(random);
        byte[] name = name(commonName);
        byte[] extensions = Der.concat(
                extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))),
                // keyCertSign (bit 5) and cRLSign (bit 6)
                extension(KEY_USAGE, true, Der.bitString(1, new byte[] {0x06})),
                extension(SUBJECT_KEY_ID, false, Der.octetString(keyId(keys.getPublic()))));
        X509Certificate cert =
                sign(random, name, name, keys.getPublic(), keys.getPrivate(), keys.getPublic(), validity, extensions);
        return new CertificateIssuer(random, new Issued(keys, cert));
    }

    /** The CA of an existing key and certificate (kept in the cluster dir), to sign more. */
    static CertificateIssuer of(PrivateKey key, X509Certificate certificate, SecureRandom random) {
        return new CertificateIssuer(random, new Issued(new KeyPair(certificate.getPublicKey(), key), certificate));
    }

    X509Certificate certificate() {
        return ca.certificate();
    }

    PrivateKey privateKey() {
        return ca.keys().getPrivate();
    }

    /**
     * A certificate for {@code commonName}, usable by a TLS server and client, naming {@code dnsNames}
     * and {@code ipAddresses} as its subject alternative names.
     */
    Issued issue(String commonName, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity)
            throws GeneralSecurityException {
        KeyPair keys = keyPair(random);
        List<byte[]> altNames = new ArrayList<>();
        dnsNames.forEach(d -> altNames.add(Der.tagged(2, false, d.getBytes(StandardCharsets.US_ASCII))));
        ipAddresses.forEach(ip -> altNames.add(Der.tagged(7, false, ip.getAddress())));
        List<byte[]> ext = new ArrayList<>();
        ext.add(extension(BASIC_CONSTRAINTS, true, Der.sequence()));
        // digitalSignature (bit 0), as ECDHE with an EC key needs
        ext.add(extension(KEY_USAGE, true, Der.bitString(7, new byte[] {(byte) 0x80})));
        ext.add(extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH), Der.oid(CLIENT_AUTH))));
        if (!altNames.isEmpty()) {
            ext.add(extension(SUBJECT_ALT_NAME, false, Der.sequence(altNames.toArray(byte[][]::new))));
        }
        ext.add(extension(SUBJECT_KEY_ID, false, Der.octetString(keyId(keys.getPublic()))));
        ext.add(extension(
                AUTHORITY_KEY_ID,
                false,
                Der.sequence(Der.tagged(0, false, keyId(ca.certificate().getPublicKey())))));
        X509Certificate cert = sign(
                random,
                Der.concat(ca.certificate().getSubjectX500Principal().getEncoded()),
                name(commonName),
                keys.getPublic(),
                ca.keys().getPrivate(),
                ca.certificate().getPublicKey(),
                validity,
                Der.concat(ext.toArray(byte[][]::new)));
        return new Issued(keys, cert);
    }

    private static KeyPair keyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    /** A distinguished name: CN=commonName, O=Strand. */
    private static byte[] name(String commonName) {
        return Der.sequence(
                Der.set(Der.sequence(Der.oid(ORGANIZATION), Der.utf8("Strand"))),
                Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(commonName))));
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    /** A key identifier: the SHA-1 of the encoded public key (RFC 7093 allows any such hash). */
    private static byte[] keyId(PublicKey key) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-1").digest(key.getEncoded());
    }

    private static X509Certificate sign(
            SecureRandom random,
            byte[] issuer,
            byte[] subject,
            PublicKey subjectKey,
            PrivateKey signerKey,
            PublicKey signerPublicKey,
            Duration validity,
            byte[] extensions)
            throws GeneralSecurityException {
        ZonedDateTime notBefore = ZonedDateTime.now().minusHours(1);
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
        byte[] tbs = Der.sequence(
                Der.tagged(0, true, Der.integer(BigInteger.valueOf(2))),
                Der.integer(new BigInteger(127, random).add(BigInteger.ONE)),
                algorithm,
                issuer,
                Der.sequence(Der.time(notBefore), Der.time(notBefore.plus(validity))),
                subject,
                subjectKey.getEncoded(),
                Der.tagged(3, true, Der.sequence(extensions)));
        Signature s = Signature.getInstance(SIGNATURE);
        s.initSign(signerKey, random);
        s.update(tbs);
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(0, s.sign()));
        X509Certificate cert = (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        cert.verify(signerPublicKey);
        cert.checkValidity();
        return cert;
    }
}
