package io.strand.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The broker's Dropwizard metrics, published over JMX under the domain {@code strand} (per-API
 * request rates and latencies, bytes in/out, connections, protocol errors, and gauges registered by
 * the replica layer). Thread-safe.
 */
public final class BrokerMetrics implements AutoCloseable {
    private final MetricRegistry registry = new MetricRegistry();
    private final Map<ApiKeys, Timer> requestTimers = new EnumMap<>(ApiKeys.class);
    private final Meter bytesIn = registry.meter("network.bytes-in");
    private final Meter bytesOut = registry.meter("network.bytes-out");
    private final Counter connections = registry.counter("network.connections");
    private final Meter protocolErrors = registry.meter("network.protocol-errors");
    private final Meter messagesIn = registry.meter("log.messages-in");
    private final JmxReporter jmx;

    public BrokerMetrics(int brokerId, boolean jmxEnabled) {
        for (ApiKeys k : ApiKeys.values()) {
            requestTimers.put(k, registry.timer("request." + k.name));
        }
        if (jmxEnabled) {
            jmx = JmxReporter.forRegistry(registry)
                    .inDomain("strand.broker-" + brokerId)
                    .convertDurationsTo(TimeUnit.MILLISECONDS)
                    .build();
            jmx.start();
        } else {
            jmx = null;
        }
    }

    public MetricRegistry registry() {
        return registry;
    }

    public void requestCompleted(ApiKeys api, long nanos) {
        requestTimers.get(api).update(nanos, TimeUnit.NANOSECONDS);
    }

    public void bytesIn(long n) {
        bytesIn.mark(n);
    }

    public void bytesOut(long n) {
        bytesOut.mark(n);
    }

    public void messagesIn(long n) {
        messagesIn.mark(n);
    }

    public void connectionOpened() {
        connections.inc();
    }

    public void connectionClosed() {
        connections.dec();
    }

    public void protocolError() {
        protocolErrors.mark();
    }

    public long protocolErrors() {
        return protocolErrors.getCount();
    }

    public <T> void gauge(String name, Supplier<T> value) {
        registry.gauge(name, () -> (Gauge<T>) value::get);
    }

    @Override
    public void close() {
        if (jmx != null) {
            jmx.close();
        }
    }
}
