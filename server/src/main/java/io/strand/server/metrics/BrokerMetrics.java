package io.strand.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The broker's Dropwizard metrics and their JMX publication. Two kinds of names live in one registry:
 * Kafka's, whose registry key is the MBean name itself ({@link KafkaMetricNames}, published as that
 * ObjectName: request phases in {@link #requests()}, topic throughput in {@link #topics()}, and the
 * gauges and meters the broker's parts register), and Strand's own ({@code replica.leaders},
 * {@code network.bytes-in}, ...; JMX domain {@code strand.broker-<id>}). See {@link KafkaObjectNames}
 * for brokers sharing a JVM. Thread-safe.
 */
public final class BrokerMetrics implements AutoCloseable {
    private final MetricRegistry registry = new MetricRegistry();
    private final Meter bytesIn = registry.meter("network.bytes-in");
    private final Meter bytesOut = registry.meter("network.bytes-out");
    private final Counter connections = registry.counter("network.connections");
    private final Meter protocolErrors = registry.meter("network.protocol-errors");
    private final RequestMetrics requests = new RequestMetrics(registry);
    private final BrokerTopicMetrics topics = new BrokerTopicMetrics(registry);
    private final KafkaObjectNames names;
    private final JmxReporter jmx;

    public BrokerMetrics(int brokerId, boolean jmxEnabled) {
        if (jmxEnabled) {
            names = KafkaObjectNames.claim(brokerId);
            jmx = JmxReporter.forRegistry(registry)
                    .inDomain("strand.broker-" + brokerId)
                    .createsObjectNamesWith(names)
                    .convertDurationsTo(TimeUnit.MILLISECONDS)
                    .build();
            jmx.start();
        } else {
            names = null;
            jmx = null;
        }
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** {@code kafka.network:type=RequestMetrics,...}. */
    public RequestMetrics requests() {
        return requests;
    }

    /** {@code kafka.server:type=BrokerTopicMetrics,...}. */
    public BrokerTopicMetrics topics() {
        return topics;
    }

    /** How this broker's metrics are named over JMX; empty when JMX is off. */
    public java.util.Optional<KafkaObjectNames> jmxNames() {
        return java.util.Optional.ofNullable(names);
    }

    public void bytesIn(long n) {
        bytesIn.mark(n);
    }

    public void bytesOut(long n) {
        bytesOut.mark(n);
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
            names.release();
        }
    }
}
