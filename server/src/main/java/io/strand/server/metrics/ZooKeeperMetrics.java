package io.strand.server.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import org.apache.curator.drivers.AdvancedTracerDriver;
import org.apache.curator.drivers.EventTrace;
import org.apache.curator.drivers.OperationTrace;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;

/**
 * Kafka's ZooKeeper client metrics for the broker's Curator session:
 *
 * <ul>
 *   <li>{@code kafka.server:type=SessionExpireListener,name=} {@code ZooKeeperSyncConnectsPerSec}
 *       (connected, or reconnected within the session), {@code ZooKeeperDisconnectsPerSec} (connection
 *       lost, session still alive: Curator's SUSPENDED), {@code ZooKeeperExpiresPerSec} (session lost:
 *       Curator's LOST), {@code ZooKeeperReadOnlyConnectsPerSec}, and the gauge {@code SessionState}
 *       (ZooKeeper's state name, e.g. {@code CONNECTED}; a text value, which Prometheus leaves out);
 *   <li>{@code kafka.server:type=ZooKeeperClientMetrics,name=ZooKeeperRequestLatencyMs}: a histogram of
 *       each ZooKeeper operation's latency in milliseconds, retries included, as Curator traces it.
 * </ul>
 *
 * <p>Thread-safe: Curator calls back on its own threads.
 */
public final class ZooKeeperMetrics extends AdvancedTracerDriver {
    private static final String GROUP = "kafka.server";
    private static final String SESSION = "SessionExpireListener";

    private final Meter syncConnects;
    private final Meter disconnects;
    private final Meter expires;
    private final Meter readOnlyConnects;
    private final Histogram latency;

    private ZooKeeperMetrics(MetricRegistry registry) {
        this.syncConnects = registry.meter(session("ZooKeeperSyncConnectsPerSec"));
        this.disconnects = registry.meter(session("ZooKeeperDisconnectsPerSec"));
        this.expires = registry.meter(session("ZooKeeperExpiresPerSec"));
        this.readOnlyConnects = registry.meter(session("ZooKeeperReadOnlyConnectsPerSec"));
        this.latency =
                registry.histogram(KafkaMetricNames.name(GROUP, "ZooKeeperClientMetrics", "ZooKeeperRequestLatencyMs"));
    }

    static String session(String name) {
        return KafkaMetricNames.name(GROUP, SESSION, name);
    }

    /** Counts {@code zk}'s connection changes and times its operations from now on. */
    public static void attach(CuratorFramework zk, MetricRegistry registry) {
        ZooKeeperMetrics m = new ZooKeeperMetrics(registry);
        registry.gauge(session("SessionState"), () -> (Gauge<String>) () -> state(zk));
        zk.getConnectionStateListenable().addListener((client, state) -> m.onState(state));
        zk.getZookeeperClient().setTracerDriver(m);
    }

    private static String state(CuratorFramework zk) {
        try {
            return zk.getZookeeperClient().getZooKeeper().getState().name();
        } catch (Exception e) {
            return "CLOSED";
        }
    }

    private void onState(ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> syncConnects.mark();
            case SUSPENDED -> disconnects.mark();
            case LOST -> expires.mark();
            case READ_ONLY -> readOnlyConnects.mark();
        }
    }

    @Override
    public void addTrace(OperationTrace trace) {
        // requests only: "GetDataBuilderImpl-Foreground", "CuratorMultiTransactionImpl-Background", ...;
        // not waits such as blockUntilConnectedOrTimedOut
        String name = trace.getName();
        if (name != null && (name.endsWith("-Foreground") || name.endsWith("-Background"))) {
            latency.update(trace.getLatencyMs());
        }
    }

    @Override
    public void addEvent(EventTrace trace) {
        // connection events are counted from the connection-state listener
    }
}
