package io.strand.server.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strand.server.testing.NettyLeaks;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.TestCertificates;
import io.strand.testing.Wait;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A broker whose keystore file is replaced while it runs: new connections get the new certificate
 * (seen by a plain JDK TLS socket) while a connection opened before keeps working; a file that does
 * not load, and a certificate for another name, are refused with a log line and the current one
 * kept.
 */
class KeystoreReloadTest {
    @TempDir
    Path dir;

    @Test
    void shouldServeANewKeystoreToNewConnectionsAndRefuseABadOne() throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        TestCertificates.Identity first = certs.broker("broker");
        Path keystore = first.keystore("PKCS12");
        Path truststore = certs.truststore("PKCS12");
        Map<String, String> p = new HashMap<>(TlsTestSupport.brokerSsl(certs, first));
        p.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        p.put("strand.ssl.reload.interval.ms", "100");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger tlsLog = (Logger) LoggerFactory.getLogger(ListenerTls.class);
        tlsLog.addAppender(logged);
        try (StrandTestCluster cluster = StrandTestCluster.start(1, p)) {
            InetSocketAddress address = cluster.broker(1).boundAddress("SSL");
            assertEquals(first.certificate().getSerialNumber(), TlsTestSupport.servedSerial(truststore, address));

            try (RawKafkaConnection before =
                    new RawKafkaConnection(TlsTestSupport.connect(truststore, null, address))) {
                assertEquals(Errors.NONE, apiVersions(before));

                // a new certificate and key for the same names, written over the file
                TestCertificates.Identity second = certs.broker("broker");
                second.writeKeystore(keystore, "PKCS12");
                awaitServed(truststore, address, second.certificate().getSerialNumber());
                assertEquals(Errors.NONE, apiVersions(before), "the connection opened before goes on");
                assertTrue(
                        logged.list.stream()
                                .anyMatch(e -> e.getFormattedMessage()
                                        .contains("new connections use certificate CN=localhost,OU=broker")),
                        "the reload is logged");

                // a file that is not a keystore: refused, logged, the current certificate kept
                Path junk = dir.resolve("junk");
                Files.write(junk, new byte[] {1, 2, 3, 4});
                Files.move(junk, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                awaitRefusal(logged, 1);
                assertEquals(second.certificate().getSerialNumber(), TlsTestSupport.servedSerial(truststore, address));

                // a certificate for another name: refused as Kafka refuses it (ssl.allow.dn.changes=false)
                certs.broker("impostor").writeKeystore(keystore, "PKCS12");
                awaitRefusal(logged, 2);
                assertEquals(second.certificate().getSerialNumber(), TlsTestSupport.servedSerial(truststore, address));
                assertEquals(Errors.NONE, apiVersions(before));

                // and a good one again
                TestCertificates.Identity third = certs.broker("broker");
                third.writeKeystore(keystore, "PKCS12");
                awaitServed(truststore, address, third.certificate().getSerialNumber());
            }
        } finally {
            tlsLog.detachAppender(logged);
        }
        NettyLeaks.check("after " + KeystoreReloadTest.class.getSimpleName(), List.of());
    }

    private static Errors apiVersions(RawKafkaConnection c) throws Exception {
        ApiVersionsResponse r = (ApiVersionsResponse) c.send(
                ApiKeys.API_VERSIONS,
                (short) 3,
                new ApiVersionsRequestData()
                        .setClientSoftwareName("reload-test")
                        .setClientSoftwareVersion("1"));
        return Errors.forCode(r.data().errorCode());
    }

    private static void awaitServed(Path truststore, InetSocketAddress address, BigInteger serial)
            throws InterruptedException {
        Wait.waitUntil(
                "a new connection gets the certificate with serial " + serial.toString(16),
                Duration.ofSeconds(15),
                () -> TlsTestSupport.servedSerial(truststore, address).equals(serial));
    }

    private static void awaitRefusal(ListAppender<ILoggingEvent> logged, int count) throws InterruptedException {
        Wait.waitUntil(
                "refusal number " + count + " of a changed keystore is logged",
                Duration.ofSeconds(15),
                () -> logged.list.stream()
                                .filter(e -> e.getFormattedMessage().contains("are refused"))
                                .count()
                        >= count);
    }
}
