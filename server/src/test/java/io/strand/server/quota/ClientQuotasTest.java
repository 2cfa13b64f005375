package io.strand.server.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.strand.server.http.PrometheusMetrics;
import io.strand.server.network.RequestContext;
import io.strand.server.network.RequestThrottler;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

/**
 * The quota rules and arithmetic without a network, on a clock the test moves: Kafka's precedence of
 * the eight entity levels, the throttle time that brings a rate back to its quota over Kafka's 11
 * one-second samples, the request quota's one-sample bound, and what a throttled request gets (its
 * response carries {@code throttle_time_ms}; a consumer's fetch loses its data; acks=0 is still
 * throttled; a replica's fetch never is), with the per-entity metrics under Kafka's names: in the
 * registry, at the Prometheus endpoint as the JMX exporter's Kafka rules name them, and as Kafka's MBeans.
 */
class ClientQuotasTest {
    /** A clock that moves only when told. */
    private static final class ManualTime implements Time {
        private long nanos = TimeUnit.MILLISECONDS.toNanos(1_700_000_000_000L);

        @Override
        public long milliseconds() {
            return TimeUnit.NANOSECONDS.toMillis(nanos);
        }

        @Override
        public long nanoseconds() {
            return nanos;
        }

        @Override
        public void sleep(long ms) {
            nanos += TimeUnit.MILLISECONDS.toNanos(ms);
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException();
        }
    }

    private static ClientQuotaEntity entity(String... typeAndName) {
        Map<String, String> e = new HashMap<>();
        for (int i = 0; i < typeAndName.length; i += 2) {
            e.put(typeAndName[i], typeAndName[i + 1]);
        }
        return new ClientQuotaEntity(e);
    }

    private static final String USER = ClientQuotaEntity.USER;
    private static final String CLIENT = ClientQuotaEntity.CLIENT_ID;

    private static RequestContext context(ApiKeys api, short version, String user, String clientId) {
        return new RequestContext(
                new RequestHeader(api, version, clientId, 1),
                "c",
                new InetSocketAddress("127.0.0.1", 1),
                "PLAINTEXT",
                SecurityProtocol.PLAINTEXT,
                new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user),
                0);
    }

    @Test
    void shouldApplyTheMostSpecificOfKafkasEightLevels() {
        // Kafka's order, most specific first; each level's quota is its position
        List<ClientQuotaEntity> levels = new ArrayList<>(List.of(
                entity(USER, "alice", CLIENT, "app"),
                entity(USER, "alice", CLIENT, null),
                entity(USER, "alice"),
                entity(USER, null, CLIENT, "app"),
                entity(USER, null, CLIENT, null),
                entity(USER, null),
                entity(CLIENT, "app"),
                entity(CLIENT, null)));
        Map<ClientQuotaEntity, Map<String, Double>> all = new HashMap<>();
        for (int i = 0; i < levels.size(); i++) {
            all.put(levels.get(i), Map.of("producer_byte_rate", (double) i + 1));
        }
        QuotaOverrides overrides = QuotaOverrides.of(all);
        for (int i = 0; i < levels.size(); i++) {
            QuotaTags tags = overrides.tags(QuotaType.PRODUCE, "alice", "app");
            assertEquals((double) i + 1, overrides.limit(QuotaType.PRODUCE, tags), "level " + (i + 1) + ": " + tags);
            assertNull(overrides.limit(QuotaType.FETCH, overrides.tags(QuotaType.FETCH, "alice", "app")));
            overrides = overrides.with(levels.get(i), Map.of());
        }
        assertNull(overrides.limit(QuotaType.PRODUCE, overrides.tags(QuotaType.PRODUCE, "alice", "app")));

        // one level only: usage is measured per that level (a user quota is shared by all its client ids)
        QuotaOverrides users = QuotaOverrides.of(Map.of(entity(USER, "alice"), Map.of("consumer_byte_rate", 9.0)));
        assertEquals(new QuotaTags("alice", ""), users.tags(QuotaType.FETCH, "alice", "app"));
        assertNull(users.limit(QuotaType.FETCH, users.tags(QuotaType.FETCH, "bob", "app")));
        QuotaOverrides clients = QuotaOverrides.of(Map.of(entity(CLIENT, null), Map.of("consumer_byte_rate", 7.0)));
        assertEquals(new QuotaTags("", "app"), clients.tags(QuotaType.FETCH, "alice", "app"));
        assertEquals(7.0, clients.limit(QuotaType.FETCH, clients.tags(QuotaType.FETCH, "bob", "other")));
        // a client literally named <default> is not the default client id
        QuotaOverrides literal =
                QuotaOverrides.of(Map.of(entity(CLIENT, "<default>"), Map.of("consumer_byte_rate", 5.0)));
        assertNull(literal.limit(QuotaType.FETCH, literal.tags(QuotaType.FETCH, "alice", "app")));
        assertEquals(5.0, literal.limit(QuotaType.FETCH, literal.tags(QuotaType.FETCH, "alice", "<default>")));
    }

    @Test
    void shouldThrottleUntilTheRateIsBackAtTheQuota() {
        ManualTime time = new ManualTime();
        MetricRegistry registry = new MetricRegistry();
        ClientQuotas quotas = new ClientQuotas(QuotaConfig.DEFAULT, time, registry);
        try {
            quotas.apply(QuotaOverrides.of(
                    Map.of(entity(CLIENT, "app"), Map.of("producer_byte_rate", 1000.0, "request_percentage", 1.0))));
            ClientQuotaManager produce = quotas.manager(QuotaType.PRODUCE);
            QuotaTags tags = produce.tags(KafkaPrincipal.ANONYMOUS, "app");
            long now = time.milliseconds();
            // 1000 bytes over the 10 s Kafka assumes at least (11 samples of 1 s, the current one just begun)
            assertEquals(0, produce.record(tags, 1000, now));
            // 21000 bytes in 10 s = 2100 B/s: (2100 - 1000) / 1000 * 10 s brings it back to 1000 B/s
            assertEquals(11_000, produce.record(tags, 20_000, now));
            assertEquals(10_000.0, produce.maxValueInQuotaWindow(tags), "the quota over 10 samples");
            // the request quota: 50% of a thread in 10 s is 5%, over a 1% quota, but at most one sample
            ClientQuotaManager request = quotas.manager(QuotaType.REQUEST);
            assertEquals(1_000, request.record(request.tags(KafkaPrincipal.ANONYMOUS, "app"), 50.0, now));
            // a quota change applies to what was measured already
            quotas.apply(QuotaOverrides.of(Map.of(entity(CLIENT, "app"), Map.of("producer_byte_rate", 1e6))));
            assertEquals(0, produce.record(tags, 1, now));
        } finally {
            quotas.close();
        }
        assertTrue(registry.getNames().isEmpty(), "closing removes the metrics: " + registry.getNames());
    }

    @Test
    void shouldPublishKafkasQuotaMBeansOverJmx() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName entity = new ObjectName("kafka.server:type=Produce,user=jmx-user,client-id=jmx-app");
        try (ClientQuotas quotas =
                new ClientQuotas(QuotaConfig.DEFAULT, new ManualTime(), new MetricRegistry(), true)) {
            quotas.apply(QuotaOverrides.of(
                    Map.of(entity(USER, "jmx-user", CLIENT, "jmx-app"), Map.of("producer_byte_rate", 1000.0))));
            RequestContext produce = context(ApiKeys.PRODUCE, (short) 11, "jmx-user", "jmx-app");
            quotas.afterHandling(produce, new ProduceRequestData().setAcks((short) 1), 21_000, 0, null);
            assertEquals(2_100.0, (Double) jmx.getAttribute(entity, "byte-rate"), 1.0, "Kafka's MBean and attribute");
            assertEquals(11_000.0, (Double) jmx.getAttribute(entity, "throttle-time"));
        }
        assertTrue(jmx.queryNames(entity, null).isEmpty(), "gone with the broker");
    }

    @Test
    void shouldAnswerAtOnceWithTheThrottleTimeAndWithoutFetchedData() throws Exception {
        ManualTime time = new ManualTime();
        MetricRegistry registry = new MetricRegistry();
        try (ClientQuotas quotas = new ClientQuotas(QuotaConfig.DEFAULT, time, registry)) {
            RequestContext anyone = context(ApiKeys.METADATA, (short) 12, "alice", "app");
            RequestThrottler.Throttled free = quotas.afterHandling(
                    anyone, new MetadataRequestData(), 100, 1_000_000_000L, new MetadataResponseData());
            assertEquals(0, free.throttleTimeMs(), "no quota: nothing measured");

            quotas.apply(QuotaOverrides.of(Map.of(
                    entity(USER, "alice", CLIENT, "app"),
                    Map.of("producer_byte_rate", 1000.0, "consumer_byte_rate", 1000.0, "request_percentage", 10.0))));
            RequestContext produce = context(ApiKeys.PRODUCE, (short) 11, "alice", "app");
            ProduceResponseData produced = new ProduceResponseData();
            RequestThrottler.Throttled t =
                    quotas.afterHandling(produce, new ProduceRequestData().setAcks((short) -1), 21_000, 0, produced);
            assertEquals(11_000, t.throttleTimeMs());
            assertSame(produced, t.response());
            assertEquals(11_000, produced.throttleTimeMs());
            RequestThrottler.Throttled acksZero =
                    quotas.afterHandling(produce, new ProduceRequestData().setAcks((short) 0), 10_000, 0, null);
            assertNull(acksZero.response());
            assertTrue(acksZero.throttleTimeMs() > 11_000, "no response, but the connection is throttled");
            Gauge<?> throttleTime = registry.getGauges()
                    .get("kafka.server:type=Produce,user=alice,client-id=app,attribute=throttle-time");
            assertTrue((Double) throttleTime.getValue() > 11_000, "Kafka's per-entity metric");
            assertTrue(registry.getGauges()
                    .containsKey("kafka.server:type=Produce,user=alice,client-id=app,attribute=byte-rate"));

            // the same metrics at the Prometheus endpoint, as the JMX exporter's kafka-2_0_0.yml rules name
            // Kafka's MBean: its client-id rule comes first and takes "Produce, user=alice" for the resource
            ByteArrayOutputStream scrape = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create()
                    .write(scrape, new PrometheusMetrics(registry).snapshots(), EscapingScheme.UNDERSCORE_ESCAPING);
            String prometheus = scrape.toString(StandardCharsets.UTF_8);
            assertTrue(
                    prometheus.contains(
                            "\nkafka_server_quota_throttle_time{clientId=\"app\",resource=\"Produce, user=alice\"} "),
                    prometheus);

            // a consumer's fetch over its quota gets no data, and its bytes are not counted
            FetchRequestData consumerFetch =
                    new FetchRequestData().setReplicaId(-1).setMaxBytes(50 * 1024 * 1024);
            RequestContext fetch = context(ApiKeys.FETCH, (short) 12, "alice", "app");
            quotas.beforeHandling(fetch, consumerFetch);
            assertEquals(10_000, consumerFetch.maxBytes(), "capped to the quota over 10 samples");
            FetchResponseData data = new FetchResponseData();
            data.responses()
                    .add(new FetchResponseData.FetchableTopicResponse()
                            .setTopic("t")
                            .setPartitions(List.of(new FetchResponseData.PartitionData()
                                    .setRecords(MemoryRecords.readableRecords(java.nio.ByteBuffer.allocate(20_000))))));
            RequestThrottler.Throttled fetched = quotas.afterHandling(fetch, consumerFetch, 100, 0, data);
            assertTrue(fetched.throttleTimeMs() > 0);
            FetchResponseData empty = (FetchResponseData) fetched.response();
            assertTrue(empty.responses().isEmpty());
            assertEquals(fetched.throttleTimeMs(), empty.throttleTimeMs());
            assertEquals(
                    0.0,
                    registry.getGauges()
                            .get("kafka.server:type=Fetch,user=alice,client-id=app,attribute=byte-rate")
                            .getValue(),
                    "taken back");

            // a replica's fetch is never throttled
            FetchRequestData replicaFetch =
                    new FetchRequestData().setReplicaId(2).setMaxBytes(50 * 1024 * 1024);
            quotas.beforeHandling(fetch, replicaFetch);
            assertEquals(50 * 1024 * 1024, replicaFetch.maxBytes());
            RequestThrottler.Throttled replica = quotas.afterHandling(fetch, replicaFetch, 100, 10_000_000_000L, data);
            assertEquals(0, replica.throttleTimeMs());
            assertSame(data, replica.response());
        }
    }
}
