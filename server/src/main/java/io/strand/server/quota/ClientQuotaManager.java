package io.strand.server.quota;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Quota;
import org.apache.kafka.common.metrics.QuotaViolationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.internals.Sanitizer;

/**
 * One quota type's usage per quota entity and the throttle time of a request that takes it over
 * its quota, as Kafka's {@code ClientQuotaManager}: a sensor per {@link QuotaTags} holds a
 * {@link Rate} over {@link QuotaConfig#samples()} samples of {@link QuotaConfig#sampleSeconds()}
 * (kafka-clients' metrics, whose quota check reports the violation), and a second one the
 * average throttle time. Over quota, the throttle time is what brings the measured rate back to
 * the quota if nothing more were recorded: {@code (rate - quota) / quota * window}; for request
 * quotas at most one sample. Sensors unused for an hour are dropped. Nothing is measured while no
 * quota of this type exists.
 *
 * <p>Thread-safe: recording is synchronized per sensor; quota changes ({@link #update}) and sensor
 * creation are serialized on one lock so that a new sensor never misses a change.
 */
public final class ClientQuotaManager {
    /** Kafka's: quota sensors unused for an hour are removed. */
    static final long INACTIVE_SENSOR_EXPIRY_SECONDS = 3600;

    private final QuotaType type;
    private final Metrics metrics;
    private final QuotaConfig config;
    private final long maxThrottleMs;
    private final Object lock = new Object();
    private volatile QuotaOverrides overrides = QuotaOverrides.NONE;

    ClientQuotaManager(QuotaType type, Metrics metrics, QuotaConfig config) {
        this.type = type;
        this.metrics = metrics;
        this.config = config;
        this.maxThrottleMs =
                type == QuotaType.REQUEST ? TimeUnit.SECONDS.toMillis(config.sampleSeconds()) : Integer.MAX_VALUE;
    }

    public QuotaType type() {
        return type;
    }

    /** Whether a quota of this type exists (else nothing is measured). */
    public boolean enabled() {
        return overrides.enabled(type);
    }

    /** Whose usage a request of {@code principal} with {@code clientId} counts towards. */
    public QuotaTags tags(KafkaPrincipal principal, String clientId) {
        return overrides.tags(type, Sanitizer.sanitize(principal.getName()), clientId == null ? "" : clientId);
    }

    /** The quota that applies to {@code tags}; {@code null}: none. */
    public Double limit(QuotaTags tags) {
        return overrides.limit(type, tags);
    }

    /**
     * Records {@code value} (bytes, or request-time percentage) at {@code nowMs}.
     *
     * @return the throttle time in ms: 0 while within the quota
     */
    public int record(QuotaTags tags, double value, long nowMs) {
        try {
            quotaSensor(tags).record(value, nowMs, true);
            return 0;
        } catch (QuotaViolationException e) {
            return throttleTimeMs(e, nowMs);
        }
    }

    /** Records {@code value} without checking the quota: the next request pays for it. */
    public void recordNoThrottle(QuotaTags tags, double value, long nowMs) {
        quotaSensor(tags).record(value, nowMs, false);
    }

    /** Takes back a {@link #record}ed value (a throttled fetch sends no data). */
    public void unrecord(QuotaTags tags, double value, long nowMs) {
        quotaSensor(tags).record(-value, nowMs, false);
    }

    /** A request of {@code tags} was throttled for {@code throttleMs}: the {@code throttle-time} average. */
    public void throttled(QuotaTags tags, int throttleMs) {
        throttleSensor(tags).record(throttleMs);
    }

    /**
     * The most that can be recorded at once without a certain throttle: the quota over all samples but the
     * current one (Kafka caps a consumer's fetch size with it). Unbounded without a quota.
     */
    public double maxValueInQuotaWindow(QuotaTags tags) {
        Double limit = enabled() ? limit(tags) : null;
        return limit == null ? Double.MAX_VALUE : limit * (config.samples() - 1) * config.sampleSeconds();
    }

    /** The quotas changed: from now on they apply, to the usage already measured too. */
    void update(QuotaOverrides next) {
        synchronized (lock) {
            overrides = next;
            for (KafkaMetric m : metrics.metrics().values()) {
                MetricName n = m.metricName();
                if (n.group().equals(type.group()) && n.name().equals(type.rateMetric())) {
                    Double limit = next.limit(
                            type, new QuotaTags(n.tags().get("user"), n.tags().get("client-id")));
                    Quota q = m.config().quota();
                    if (q == null || q.bound() != bound(limit)) {
                        m.config(metricConfig(limit));
                    }
                }
            }
        }
    }

    private int throttleTimeMs(QuotaViolationException e, long nowMs) {
        KafkaMetric m = e.metric();
        long windowMs = ((Rate) m.measurable()).windowSize(m.config(), nowMs);
        long ms = Math.round((e.value() - e.bound()) / e.bound() * windowMs);
        return (int) Math.max(0, Math.min(ms, maxThrottleMs));
    }

    private Sensor quotaSensor(QuotaTags tags) {
        String name = type.group() + "-" + tags.user() + ":" + tags.clientId();
        Sensor s = metrics.getSensor(name);
        if (s != null) {
            return s;
        }
        synchronized (lock) {
            s = metrics.sensor(name, null, INACTIVE_SENSOR_EXPIRY_SECONDS);
            s.add(
                    metrics.metricName(
                            type.rateMetric(),
                            type.group(),
                            "Tracking " + type.rateMetric() + " per user/client-id",
                            tags.asMetricTags()),
                    new Rate(),
                    metricConfig(overrides.limit(type, tags)));
            return s;
        }
    }

    private Sensor throttleSensor(QuotaTags tags) {
        String name = type.group() + "ThrottleTime-" + tags.user() + ":" + tags.clientId();
        Sensor s = metrics.getSensor(name);
        if (s != null) {
            return s;
        }
        synchronized (lock) {
            s = metrics.sensor(name, null, INACTIVE_SENSOR_EXPIRY_SECONDS);
            s.add(
                    metrics.metricName(
                            "throttle-time",
                            type.group(),
                            "Tracking average throttle-time per user/client-id",
                            tags.asMetricTags()),
                    new Avg());
            return s;
        }
    }

    private static double bound(Double limit) {
        return limit == null ? Long.MAX_VALUE : limit;
    }

    private MetricConfig metricConfig(Double limit) {
        return new MetricConfig()
                .timeWindow(config.sampleSeconds(), TimeUnit.SECONDS)
                .samples(config.samples())
                .quota(Quota.upperBound(bound(limit)));
    }
}
