package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.Wait;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broker's metrics reach JMX: request rates and the gauges an operator watches. */
@ExtendWith(StrandClusterExtension.class)
class MetricsTest {
    @Test
    void shouldPublishGaugesAndRequestTimersOverJmx(
            @BrokerCluster(properties = "strand.metrics.jmx.enable=true") StrandTestCluster cluster) throws Exception {
        cluster.createTopic("measured", 2, 1);
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        Wait.waitUntil("two leaders reported", Duration.ofSeconds(10), () -> {
            try {
                return Long.valueOf(2).equals(value(jmx, "replica.leaders"));
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(1, ((Number) value(jmx, "controller.active")).intValue());
        assertEquals(0L, value(jmx, "replica.under-replicated-partitions"));
        ObjectName createTopics = cluster.broker(1)
                .metrics()
                .jmxNames()
                .orElseThrow()
                .objectName("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=CreateTopics");
        assertTrue(((Number) jmx.getAttribute(createTopics, "Count")).longValue() >= 1, "a timer per API");
    }

    private static Object value(MBeanServer jmx, String gauge) throws Exception {
        Set<ObjectName> names = jmx.queryNames(new ObjectName("strand.broker-1:name=" + gauge + ",*"), null);
        return jmx.getAttribute(names.iterator().next(), "Value");
    }
}
