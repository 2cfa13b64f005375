package io.strand.server.quota;

import com.codahale.metrics.MetricRegistry;
import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.admin.ClientQuotaStore;
import io.strand.server.network.RequestContext;
import io.strand.server.network.RequestThrottler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's client quotas, enforced as Kafka enforces them ({@code KafkaApis} with its quota managers):
 *
 * <ul>
 *   <li>Produce: the request's size counts towards {@code producer_byte_rate}, its handler time towards
 *       {@code request_percentage} (not with acks=0, which gets no response to carry a throttle time; its
 *       connection is still throttled for the byte rate).
 *   <li>Fetch from a consumer: its fetch size is first capped to what the quota lets through in the
 *       samples before the current one; the response's size counts towards {@code consumer_byte_rate}.
 *       Throttled, it is answered without data and the bytes are not counted. Replicas' fetches are never
 *       throttled.
 *   <li>Every other request of a client counts its handler time towards {@code request_percentage};
 *       inter-broker requests (Kafka's cluster actions, replicas' fetches) are exempt and only measured
 *       ({@code exempt-request-time}).
 * </ul>
 *
 * <p>The throttle time is the larger of the byte-rate and request-time throttles; the response carries
 * it as {@code throttle_time_ms} and the connection reads nothing more until it has passed. The quotas
 * come from ZooKeeper through a {@link ClientQuotaCache} that a {@link ConfigChangeWatcher} keeps
 * current. Usage is measured with kafka-clients' metrics, published by {@link QuotaMetricsReporter}.
 *
 * <p>Thread-safe.
 */
public final class ClientQuotas implements RequestThrottler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotas.class);
    /** The JMX domain of Kafka's quota MBeans. */
    private static final String KAFKA_SERVER_DOMAIN = "kafka.server";
    /** Handler time as a percentage of one thread over one second (Kafka's request quota unit). */
    private static final double NANOS_TO_PERCENT = 100.0 / TimeUnit.SECONDS.toNanos(1);

    private final Time time;
    private final Metrics metrics;
    private final ClientQuotaManager produce;
    private final ClientQuotaManager fetch;
    private final ClientQuotaManager request;
    private final Sensor exempt;
    private ConfigChangeWatcher watcher;

    /** Quotas measured with {@code config} against {@code time}, none configured yet ({@link #apply}). */
    ClientQuotas(QuotaConfig config, Time time, MetricRegistry registry) {
        this(config, time, registry, false);
    }

    /**
     * As above; with {@code kafkaMBeans} the per-entity metrics are also Kafka's own MBeans over JMX
     * ({@code kafka.server:type=Produce,user=..,client-id=..}, attributes {@code byte-rate} and {@code
     * throttle-time}: kafka-clients' JmxReporter, as Kafka's broker publishes them).
     */
    ClientQuotas(QuotaConfig config, Time time, MetricRegistry registry, boolean kafkaMBeans) {
        this.time = time;
        List<MetricsReporter> reporters = new ArrayList<>(List.of(new QuotaMetricsReporter(registry)));
        if (kafkaMBeans) {
            reporters.add(new JmxReporter());
        }
        this.metrics =
                new Metrics(new MetricConfig(), reporters, time, true, new KafkaMetricsContext(KAFKA_SERVER_DOMAIN));
        this.produce = new ClientQuotaManager(QuotaType.PRODUCE, metrics, config);
        this.fetch = new ClientQuotaManager(QuotaType.FETCH, metrics, config);
        this.request = new ClientQuotaManager(QuotaType.REQUEST, metrics, config);
        this.exempt = metrics.sensor("exempt-" + QuotaType.REQUEST.group());
        exempt.add(
                metrics.metricName(
                        "exempt-request-time",
                        QuotaType.REQUEST.group(),
                        "Tracking exempt-request-time utilization percentage"),
                new Rate());
    }

    /**
     * Loads the quotas from ZooKeeper and follows their changes; returns once they are loaded, so that no
     * client meets a broker that does not know its quota yet.
     *
     * @param kafkaMBeans also publish the per-entity metrics as Kafka's MBeans (the broker holds Kafka's JMX
     *     names in this JVM)
     */
    public static ClientQuotas start(
            QuotaConfig config, MetadataStore zk, MetricRegistry registry, boolean kafkaMBeans, long loadTimeoutMs) {
        ClientQuotas quotas = new ClientQuotas(config, Time.SYSTEM, registry, kafkaMBeans);
        ClientQuotaCache cache =
                new ClientQuotaCache(new ClientQuotaStore(zk), List.of(quotas.produce, quotas.fetch, quotas.request));
        quotas.watcher = new ConfigChangeWatcher(zk, cache);
        try {
            quotas.watcher.start(loadTimeoutMs);
        } catch (RuntimeException e) {
            quotas.close();
            throw e;
        }
        return quotas;
    }

    /** Makes {@code overrides} the quotas in force (what the cache does on each change). */
    void apply(QuotaOverrides overrides) {
        produce.update(overrides);
        fetch.update(overrides);
        request.update(overrides);
    }

    ClientQuotaManager manager(QuotaType type) {
        return switch (type) {
            case PRODUCE -> produce;
            case FETCH -> fetch;
            case REQUEST -> request;
        };
    }

    /**
     * The quota of {@code type} this broker applies to {@code principal} with {@code clientId}, or {@code null}
     * when none does (Kafka's {@code ClientQuotaManager.quota}; for tests and status views).
     */
    public Double quota(QuotaType type, KafkaPrincipal principal, String clientId) {
        ClientQuotaManager m = manager(type);
        return m.limit(m.tags(principal, clientId));
    }

    @Override
    public void beforeHandling(RequestContext ctx, ApiMessage message) {
        if (message instanceof FetchRequestData f && !fromReplica(f, ctx.apiVersion()) && fetch.enabled()) {
            double cap = fetch.maxValueInQuotaWindow(fetch.tags(ctx.principal(), ctx.clientId()));
            if (cap < f.maxBytes()) {
                int maxBytes = (int) cap;
                f.setMaxBytes(maxBytes).setMinBytes(Math.min(f.minBytes(), maxBytes));
            }
        }
    }

    @Override
    public Throttled afterHandling(
            RequestContext ctx, ApiMessage message, int requestBytes, long handlerNanos, ApiMessage response) {
        if (!produce.enabled() && !fetch.enabled() && !request.enabled()) {
            return new Throttled(response, 0);
        }
        long now = time.milliseconds();
        ApiKeys api = ctx.apiKey();
        double requestTime = handlerNanos * NANOS_TO_PERCENT;
        boolean replicaFetch = message instanceof FetchRequestData f && fromReplica(f, ctx.apiVersion());
        if (api.clusterAction || replicaFetch) {
            if (request.enabled()) {
                exempt.record(requestTime, now);
            }
            return new Throttled(response, 0);
        }
        int requestThrottle = 0;
        QuotaTags requestTags = null;
        boolean acksZero = message instanceof ProduceRequestData p && p.acks() == 0;
        if (request.enabled() && !acksZero) {
            requestTags = request.tags(ctx.principal(), ctx.clientId());
            requestThrottle = request.record(requestTags, requestTime, now);
        }
        ClientQuotaManager bandwidth = null;
        QuotaTags bandwidthTags = null;
        int bandwidthThrottle = 0;
        ApiMessage answer = response;
        if (api == ApiKeys.PRODUCE && produce.enabled()) {
            bandwidth = produce;
            bandwidthTags = produce.tags(ctx.principal(), ctx.clientId());
            bandwidthThrottle = produce.record(bandwidthTags, requestBytes, now);
        } else if (api == ApiKeys.FETCH && response instanceof FetchResponseData fetched) {
            int size = 0;
            if (fetch.enabled()) {
                bandwidth = fetch;
                bandwidthTags = fetch.tags(ctx.principal(), ctx.clientId());
                size = size(fetched, ctx.apiVersion());
                bandwidthThrottle = fetch.record(bandwidthTags, size, now);
            }
            if (Math.max(bandwidthThrottle, requestThrottle) > 0) {
                if (bandwidth != null) {
                    fetch.unrecord(bandwidthTags, size, now); // no data goes out
                }
                answer = new FetchResponseData()
                        .setErrorCode(fetched.errorCode())
                        .setSessionId(fetched.sessionId());
            }
        }
        int throttleMs = Math.max(bandwidthThrottle, requestThrottle);
        if (throttleMs > 0) {
            if (bandwidthThrottle > requestThrottle) {
                bandwidth.throttled(bandwidthTags, throttleMs);
            } else {
                request.throttled(requestTags, throttleMs);
            }
            if (answer != null) {
                ThrottleTimeField.set(answer, throttleMs);
            }
            if (log.isDebugEnabled()) {
                log.debug(
                        "{} of {} (client {}) over its quota: throttled {} ms",
                        api,
                        ctx.principal(),
                        ctx.clientId(),
                        throttleMs);
            }
        }
        return new Throttled(answer, throttleMs);
    }

    private static boolean fromReplica(FetchRequestData f, short version) {
        return (version >= 15 ? f.replicaState().replicaId() : f.replicaId()) >= 0;
    }

    /** The size of a fetch response as it goes out, records included. */
    private static int size(FetchResponseData response, short version) {
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        response.addSize(size, new ObjectSerializationCache(), version);
        return size.totalSize();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        metrics.close();
    }
}
