/**
 * The cluster as a whole: {@code strand cluster describe} (brokers, controller, offline and
 * under-replicated partitions), registered by {@link io.strand.tools.cluster.ClusterCommands}.
 */
package io.strand.tools.cluster;
