package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.StrandTestCluster;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The broker's metrics reach JMX: request rates and the gauges an operator watches. */
class MetricsTest {
    @Test
    void shouldPublishGaugesAndRequestTimersOverJmx() throws Exception {
        try (StrandTestCluster cluster = StrandTestCluster.start(1, Map.of(BrokerConfig.METRICS_JMX_ENABLE, "true"))) {
            cluster.createTopic("measured", 2, 1);
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            StrandTestCluster.waitUntil("two leaders reported", Duration.ofSeconds(10), () -> {
                try {
                    return Long.valueOf(2).equals(value(jmx, "replica.leaders"));
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(1, ((Number) value(jmx, "controller.active")).intValue());
            assertEquals(0L, value(jmx, "replica.under-replicated-partitions"));
            Set<ObjectName> timers =
                    jmx.queryNames(new ObjectName("strand.broker-1:name=request.CreateTopics,*"), null);
            assertTrue(!timers.isEmpty(), "a timer per API");
            assertTrue(((Number) jmx.getAttribute(timers.iterator().next(), "Count")).longValue() >= 1);
        }
    }

    private static Object value(MBeanServer jmx, String gauge) throws Exception {
        Set<ObjectName> names = jmx.queryNames(new ObjectName("strand.broker-1:name=" + gauge + ",*"), null);
        return jmx.getAttribute(names.iterator().next(), "Value");
    }
}
