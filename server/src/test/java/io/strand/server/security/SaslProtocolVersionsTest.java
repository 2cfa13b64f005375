package io.strand.server.security;

import static io.strand.server.testing.SaslClients.PLAIN_MODULE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every advertised version of the SASL and SCRAM-user APIs, with raw requests: SaslHandshake and
 * SaslAuthenticate on a SASL_PLAINTEXT listener (the exchange) and on a PLAINTEXT one
 * (ILLEGAL_SASL_STATE), DescribeUserScramCredentials, AlterUserScramCredentials and
 * DescribeClientQuotas.
 */
@ExtendWith(StrandClusterExtension.class)
class SaslProtocolVersionsTest {
    @BrokerCluster(
            brokers = 1,
            properties = {
                "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + PLAIN_MODULE + " required user_alice=\"a\";"
            })
    private static StrandTestCluster cluster;

    private static RawKafkaConnection connect(String listener) throws IOException {
        return new RawKafkaConnection(
                "127.0.0.1", cluster.broker(1).boundAddress(listener).getPort());
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SASL_HANDSHAKE)
    void shouldAnswerSaslHandshake(short version) throws Exception {
        try (RawKafkaConnection c = connect("SASL_PLAINTEXT")) {
            SaslHandshakeResponse r = (SaslHandshakeResponse)
                    c.send(ApiKeys.SASL_HANDSHAKE, version, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertEquals(Errors.NONE, r.error());
            assertEquals(List.of("PLAIN", "SCRAM-SHA-512"), r.data().mechanisms());
        }
        try (RawKafkaConnection c = connect("PLAINTEXT")) {
            SaslHandshakeResponse r = (SaslHandshakeResponse)
                    c.send(ApiKeys.SASL_HANDSHAKE, version, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertEquals(Errors.ILLEGAL_SASL_STATE, r.error());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.SASL_AUTHENTICATE)
    void shouldAnswerSaslAuthenticate(short version) throws Exception {
        byte[] token = "\0alice\0a".getBytes();
        try (RawKafkaConnection c = connect("SASL_PLAINTEXT")) {
            c.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            SaslAuthenticateResponse r = (SaslAuthenticateResponse)
                    c.send(ApiKeys.SASL_AUTHENTICATE, version, new SaslAuthenticateRequestData().setAuthBytes(token));
            assertEquals(Errors.NONE, r.error());
            assertEquals(0, r.data().authBytes().length);
        }
        try (RawKafkaConnection c = connect("SASL_PLAINTEXT")) {
            c.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
            SaslAuthenticateResponse r = (SaslAuthenticateResponse) c.send(
                    ApiKeys.SASL_AUTHENTICATE,
                    version,
                    new SaslAuthenticateRequestData().setAuthBytes("\0alice\0b".getBytes()));
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED, r.error());
            assertEquals(
                    "Authentication failed: Invalid username or password",
                    r.data().errorMessage());
            assertTrue(c.closedByPeer());
        }
        try (RawKafkaConnection c = connect("PLAINTEXT")) {
            SaslAuthenticateResponse r = (SaslAuthenticateResponse)
                    c.send(ApiKeys.SASL_AUTHENTICATE, version, new SaslAuthenticateRequestData().setAuthBytes(token));
            assertEquals(Errors.ILLEGAL_SASL_STATE, r.error());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS)
    void shouldAnswerDescribeUserScramCredentials(short version) throws Exception {
        try (RawKafkaConnection c = connect("PLAINTEXT")) {
            DescribeUserScramCredentialsResponse r = (DescribeUserScramCredentialsResponse) c.send(
                    ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                    version,
                    new DescribeUserScramCredentialsRequestData()
                            .setUsers(
                                    List.of(new DescribeUserScramCredentialsRequestData.UserName().setName("nobody"))));
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertEquals(
                    Errors.RESOURCE_NOT_FOUND.code(), r.data().results().get(0).errorCode());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS)
    void shouldAnswerAlterUserScramCredentials(short version) throws Exception {
        try (RawKafkaConnection c = connect("PLAINTEXT")) {
            AlterUserScramCredentialsRequestData req = new AlterUserScramCredentialsRequestData();
            req.upsertions()
                    .add(new AlterUserScramCredentialsRequestData.ScramCredentialUpsertion()
                            .setName("v" + version)
                            .setMechanism((byte) 2)
                            .setIterations(4096)
                            .setSalt(new byte[16])
                            .setSaltedPassword(new byte[64]));
            AlterUserScramCredentialsResponse r =
                    (AlterUserScramCredentialsResponse) c.send(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, version, req);
            assertEquals(
                    Errors.NONE.code(),
                    r.data().results().get(0).errorCode(),
                    r.data().toString());
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_CLIENT_QUOTAS)
    void shouldAnswerDescribeClientQuotas(short version) throws Exception {
        try (RawKafkaConnection c = connect("PLAINTEXT")) {
            DescribeClientQuotasRequestData req = new DescribeClientQuotasRequestData();
            req.components()
                    .add(new DescribeClientQuotasRequestData.ComponentData()
                            .setEntityType("user")
                            .setMatchType((byte) 0)
                            .setMatch("alice"));
            DescribeClientQuotasResponse r =
                    (DescribeClientQuotasResponse) c.send(ApiKeys.DESCRIBE_CLIENT_QUOTAS, version, req);
            assertEquals(Errors.NONE.code(), r.data().errorCode());
            assertTrue(r.data().entries().isEmpty());
            req.components().get(0).setEntityType("planet");
            r = (DescribeClientQuotasResponse) c.send(ApiKeys.DESCRIBE_CLIENT_QUOTAS, version, req);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), r.data().errorCode(), "Kafka's answer to an unknown type");
        }
    }
}
