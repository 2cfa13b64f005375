package io.strand.server.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The cluster {@link StrandClusterExtension} starts for a test: how many brokers, which broker
 * properties over the test defaults, and how big a ZooKeeper. Put it on a test method's parameter
 * (a cluster for that test) or on a static field (one cluster for the whole class); the declared
 * type chooses how brokers run:
 *
 * <ul>
 *   <li>{@link StrandTestCluster}: in this JVM (fast; brokers stopped and restarted cleanly);
 *   <li>{@link ProcessTestCluster}: each broker a child JVM, for tests that {@code kill -9} one
 *       (mark those tests {@code @SystemTest}).
 * </ul>
 *
 * <pre>{@code
 * @Test
 * void shouldReplicate(@BrokerCluster(brokers = 3, properties = "min.insync.replicas=2") StrandTestCluster cluster)
 * }</pre>
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BrokerCluster {
    /** Number of brokers, with ids 1..brokers. */
    int brokers() default 1;

    /** Broker properties over the test defaults, each {@code name=value} with Kafka's names. */
    String[] properties() default {};

    /**
     * ZooKeeper servers: 1 is a single curator-test {@code TestingServer}; more is a {@code
     * TestingCluster} ensemble (in-process brokers only), reachable through {@link
     * StrandTestCluster#zookeeperEnsemble()}.
     */
    int zookeeperServers() default 1;
}
