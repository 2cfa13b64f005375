package io.strand.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void shouldIssueCertificatesThatTheJdkValidatesAgainstTheCa() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates.Identity broker = certs.broker("broker-1");

        validate(certs, broker.certificate()); // throws if the chain does not validate
        assertEquals(
                "CN=localhost,OU=broker-1,O=Strand Test",
                broker.certificate().getSubjectX500Principal().getName());
        assertEquals(
                Set.of(List.of(7, "127.0.0.1"), List.of(2, "localhost")),
                Set.copyOf(broker.certificate().getSubjectAlternativeNames()));
        assertEquals(-1, broker.certificate().getBasicConstraints(), "a leaf is no CA");
        assertTrue(certs.ca().certificate().getBasicConstraints() >= 0, "the CA is a CA");
    }

    @Test
    void shouldRefuseTheExpiredAndTheSelfSignedCertificate() {
        TestCertificates certs = TestCertificates.create(dir);

        assertThrows(
                CertificateExpiredException.class,
                () -> certs.expiredClient("late").certificate().checkValidity());
        assertThrows(
                CertPathValidatorException.class,
                () -> validate(
                        certs, certs.selfSigned("stranger", "CN=stranger").certificate()));
    }

    @Test
    void shouldWriteKeystoresTruststoresAndPemFilesThatLoadBack() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TestCertificates.Identity client = certs.client("alice");

        for (String type : List.of("PKCS12", "JKS")) {
            KeyStore ks = load(client.keystore(type), type);
            assertEquals(2, ks.getCertificateChain("alice").length, type + ": the leaf and the CA");
            assertTrue(ks.isKeyEntry("alice"));
            KeyStore ts = load(certs.truststore(type), type);
            assertTrue(ts.isCertificateEntry("ca"), type + ": the CA as a trusted entry");
        }
        String pem = Files.readString(client.pemKeystore());
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"));
        try (InputStream in = Files.newInputStream(client.certificatePem())) {
            assertEquals(
                    2,
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(in)
                            .size());
        }
    }

    private static KeyStore load(Path file, String type) throws Exception {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, TestCertificates.PASSWORD.toCharArray());
        }
        return ks;
    }

    private static void validate(TestCertificates certs, X509Certificate leaf) throws Exception {
        PKIXParameters params =
                new PKIXParameters(Set.of(new TrustAnchor(certs.ca().certificate(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    }
}
