package io.strand.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.EveryVersion;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * AlterClientQuotas and DescribeClientQuotas at every version kafka-clients 4.4 knows, sent raw:
 * each bad alteration gets Kafka's error and message for its own entity while the good one beside it
 * is stored, validate_only stores nothing, and describe filters match as Kafka's do (exact, default,
 * any specified, strict or not) with Kafka's errors for a bad filter.
 */
@ExtendWith(StrandClusterExtension.class)
class ClientQuotaProtocolTest {
    @BrokerCluster
    private static StrandTestCluster cluster;

    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    private static EntryData entry(List<EntityData> entity, OpData... ops) {
        return new EntryData().setEntity(entity).setOps(List.of(ops));
    }

    private static EntityData entity(String type, String name) {
        return new EntityData().setEntityType(type).setEntityName(name);
    }

    private static OpData set(String key, double value) {
        return new OpData().setKey(key).setValue(value);
    }

    private static ComponentData component(String type, byte matchType, String match) {
        return new ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
    }

    private static DescribeClientQuotasResponseData describe(
            RawKafkaConnection c, short version, boolean strict, ComponentData... components) throws Exception {
        return ((DescribeClientQuotasResponse) c.send(
                        ApiKeys.DESCRIBE_CLIENT_QUOTAS,
                        version,
                        new DescribeClientQuotasRequestData().setStrict(strict).setComponents(List.of(components))))
                .data();
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.ALTER_CLIENT_QUOTAS)
    void shouldAlterEachEntityWithKafkasChecks(short version) throws Exception {
        String good = "good-v" + version;
        List<EntryData> entries = new ArrayList<>(List.of(
                entry(
                        List.of(entity("client-id", good)),
                        set("producer_byte_rate", 1024),
                        set("request_percentage", 12.5)),
                entry(List.of(entity("client-id", "a")), set("bogus_rate", 1)),
                entry(List.of(entity("client-id", "b")), set("producer_byte_rate", 1.5)),
                entry(List.of(entity("client-id", "c")), set("request_percentage", 0)),
                entry(List.of(entity("client-id", "d")), set("consumer_byte_rate", 1), set("consumer_byte_rate", 2)),
                entry(List.of(entity("user", ""))),
                entry(List.of(entity("planet", "mars"))),
                entry(List.of(entity("ip", "127.0.0.1")), set("connection_creation_rate", 1)),
                entry(List.of(entity("user", "e")), set("controller_mutation_rate", 1))));
        try (RawKafkaConnection c = connect()) {
            AlterClientQuotasResponseData r = ((AlterClientQuotasResponse) c.send(
                            ApiKeys.ALTER_CLIENT_QUOTAS,
                            version,
                            new AlterClientQuotasRequestData().setEntries(entries)))
                    .data();
            List<String> results = r.entries().stream()
                    .map(e -> e.entity().get(0).entityName() + ": " + Errors.forCode(e.errorCode()) + " "
                            + e.errorMessage())
                    .toList();
            assertEquals(
                    List.of(
                            good + ": NONE null",
                            "a: INVALID_REQUEST Invalid configuration key bogus_rate",
                            "b: INVALID_REQUEST producer_byte_rate cannot be a fractional value.",
                            "c: INVALID_REQUEST Quota request_percentage must be greater than 0",
                            "d: INVALID_REQUEST Duplicate quota key consumer_byte_rate not updating quota for this entity"
                                    + " ClientQuotaEntity(entries={client-id=d})",
                            ": INVALID_REQUEST Empty user not supported",
                            "mars: INVALID_REQUEST Unhandled client quota entity type: planet",
                            "127.0.0.1: INVALID_REQUEST IP quotas (connection_creation_rate) are not supported by this"
                                    + " broker",
                            "e: INVALID_REQUEST controller_mutation_rate quotas are not supported by this broker"),
                    results);

            AlterClientQuotasRequestData validateOnly = new AlterClientQuotasRequestData()
                    .setValidateOnly(true)
                    .setEntries(List.of(
                            entry(List.of(entity("client-id", "dry-v" + version)), set("producer_byte_rate", 1))));
            AlterClientQuotasResponseData dry =
                    ((AlterClientQuotasResponse) c.send(ApiKeys.ALTER_CLIENT_QUOTAS, version, validateOnly)).data();
            assertEquals(Errors.NONE.code(), dry.entries().get(0).errorCode());

            DescribeClientQuotasResponseData stored = describe(
                    c,
                    ApiKeys.DESCRIBE_CLIENT_QUOTAS.latestVersion(),
                    true,
                    component("client-id", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null));
            List<String> names = stored.entries().stream()
                    .map(e -> e.entity().get(0).entityName())
                    .toList();
            assertTrue(names.contains(good), names::toString);
            assertTrue(names.stream().noneMatch(n -> n.startsWith("dry-") || n.length() == 1), names::toString);
        }
    }

    @ParameterizedTest
    @EveryVersion(ApiKeys.DESCRIBE_CLIENT_QUOTAS)
    void shouldMatchFiltersAsKafkaDoes(short version) throws Exception {
        String u = "user-v" + version;
        try (RawKafkaConnection c = connect()) {
            AlterClientQuotasRequestData setUp = new AlterClientQuotasRequestData()
                    .setEntries(List.of(
                            entry(List.of(entity("user", u)), set("consumer_byte_rate", 100)),
                            entry(
                                    List.of(entity("user", u), entity("client-id", "app")),
                                    set("consumer_byte_rate", 200)),
                            entry(
                                    List.of(entity("user", u), entity("client-id", null)),
                                    set("consumer_byte_rate", 300))));
            AlterClientQuotasResponseData set =
                    ((AlterClientQuotasResponse) c.send(ApiKeys.ALTER_CLIENT_QUOTAS, (short) 0, setUp)).data();
            set.entries().forEach(e -> assertEquals(Errors.NONE.code(), e.errorCode(), e.toString()));

            byte exact = DescribeClientQuotasRequest.MATCH_TYPE_EXACT;
            byte dflt = DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT;
            byte any = DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED;
            assertEquals(List.of(100.0), values(describe(c, version, true, component("user", exact, u))));
            assertEquals(
                    List.of(100.0, 200.0, 300.0),
                    values(describe(c, version, false, component("user", exact, u))),
                    "not strict: every entity naming the user");
            assertEquals(
                    List.of(200.0, 300.0),
                    values(describe(c, version, true, component("user", exact, u), component("client-id", any, null))));
            assertEquals(
                    List.of(300.0),
                    values(describe(
                            c, version, true, component("user", exact, u), component("client-id", dflt, null))));
            DescribeClientQuotasResponseData.EntryData defaultClient = describe(
                            c, version, true, component("user", exact, u), component("client-id", dflt, null))
                    .entries()
                    .get(0);
            assertTrue(
                    defaultClient.entity().stream()
                            .anyMatch(e -> e.entityType().equals("client-id") && e.entityName() == null),
                    "the default is a null name: " + defaultClient);

            assertEquals(
                    Errors.UNSUPPORTED_VERSION.code(),
                    describe(c, version, false, component("planet", any, null)).errorCode());
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    describe(c, version, false, component("user", any, null), component("user", exact, u))
                            .errorCode());
            assertEquals(
                    Errors.INVALID_REQUEST.code(),
                    describe(c, version, false, component("user", any, null), component("ip", any, null))
                            .errorCode());
        }
    }

    private static List<Double> values(DescribeClientQuotasResponseData r) {
        assertEquals(Errors.NONE.code(), r.errorCode(), r::toString);
        return r.entries().stream().map(e -> e.values().get(0).value()).sorted().toList();
    }
}
