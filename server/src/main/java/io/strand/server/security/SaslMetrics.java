package io.strand.server.security;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;

/**
 * The SASL counters of one broker (JMX domain strand.broker-&lt;id&gt;, names {@code sasl.*}, after
 * Kafka's): successful authentications and re-authentications, failed ones (wrong credentials,
 * unknown mechanism, a request out of turn), and connections closed because their session expired
 * without re-authentication. Thread-safe.
 */
public final class SaslMetrics {
    final Counter authentications;
    final Counter reauthentications;
    final Counter failures;
    final Counter expiredConnectionsKilled;

    public SaslMetrics(MetricRegistry registry) {
        this.authentications = registry.counter("sasl.successful-authentication-total");
        this.reauthentications = registry.counter("sasl.successful-reauthentication-total");
        this.failures = registry.counter("sasl.failed-authentication-total");
        this.expiredConnectionsKilled = registry.counter("sasl.expired-connections-killed-count");
    }

    public long authentications() {
        return authentications.getCount();
    }

    public long reauthentications() {
        return reauthentications.getCount();
    }

    public long failures() {
        return failures.getCount();
    }

    public long expiredConnectionsKilled() {
        return expiredConnectionsKilled.getCount();
    }
}
