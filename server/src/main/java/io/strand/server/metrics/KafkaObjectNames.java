package io.strand.server.metrics;

import com.codahale.metrics.jmx.DefaultObjectNameFactory;
import com.codahale.metrics.jmx.ObjectNameFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the broker's registry reaches JMX. A key built by {@link KafkaMetricNames} becomes that
 * ObjectName ({@code kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions}); every other
 * key keeps Strand's own name in the domain {@code strand.broker-<id>}
 * ({@code strand.broker-1:name=replica.leaders,type=gauges}).
 *
 * <p>Kafka's names hold no broker id, so one JVM can publish them for one broker only. The first
 * broker of a JVM to start with JMX on claims them; a broker started in the same JVM while it runs
 * (tests run several) publishes its Kafka-named MBeans with {@code broker=<id>} appended as the last
 * key ({@code kafka.server:type=ReplicaManager,name=LeaderCount,broker=2}) and says so in its log.
 * The claim ends when its broker stops. A production broker runs alone in its JVM and always has
 * the plain names. The registry and the Prometheus endpoint are per broker and never carry the
 * suffix.
 *
 * <p>Thread-safe.
 */
public final class KafkaObjectNames implements ObjectNameFactory {
    private static final Logger log = LoggerFactory.getLogger(KafkaObjectNames.class);
    /** The broker id holding the plain Kafka names in this JVM; -1: none. */
    private static final AtomicInteger OWNER = new AtomicInteger(-1);

    private static final ObjectNameFactory STRAND = new DefaultObjectNameFactory();
    private final int brokerId;
    private final boolean owner;

    private KafkaObjectNames(int brokerId, boolean owner) {
        this.brokerId = brokerId;
        this.owner = owner;
    }

    /** Claims the plain Kafka names for {@code brokerId} if no other broker of this JVM holds them. */
    static KafkaObjectNames claim(int brokerId) {
        boolean owner = OWNER.compareAndSet(-1, brokerId);
        if (!owner) {
            log.info(
                    "Broker {}: broker {} of this JVM publishes the Kafka-named MBeans; this broker's carry broker={}"
                            + " as their last key",
                    brokerId,
                    OWNER.get(),
                    brokerId);
        }
        return new KafkaObjectNames(brokerId, owner);
    }

    /** Gives the plain names back (the broker stopped). */
    void release() {
        if (owner) {
            OWNER.compareAndSet(brokerId, -1);
        }
    }

    /** Whether this broker's Kafka-named MBeans have Kafka's names exactly. */
    public boolean plainNames() {
        return owner;
    }

    @Override
    public ObjectName createName(String type, String domain, String name) {
        if (KafkaMetricNames.isKafkaName(name) && !name.contains("," + KafkaMetricNames.ATTRIBUTE + "=")) {
            try {
                return new ObjectName(owner ? name : name + ",broker=" + brokerId);
            } catch (MalformedObjectNameException e) {
                log.warn("Metric {} has no valid JMX name; it is published under {}", name, domain, e);
            }
        }
        return STRAND.createName(type, domain, name);
    }

    /** The ObjectName under which {@code key} is published for {@code brokerId}, given who owns the plain names. */
    public ObjectName objectName(String key) {
        return createName("", "strand.broker-" + brokerId, key);
    }
}
