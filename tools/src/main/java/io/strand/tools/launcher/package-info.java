/**
 * The local-cluster launcher behind {@code bin/strand-cluster start|stop|status}: one ZooKeeper and N
 * brokers on 127.0.0.1, running in the background from a cluster directory D that holds their
 * configuration, data, logs and pid files ({@link io.strand.tools.launcher.ClusterLayout}).
 *
 * <ul>
 *   <li>{@link io.strand.tools.launcher.LocalCluster}: the main class; the command line ({@link
 *       io.strand.tools.launcher.LocalClusterFlags}) and the exit codes (0 ok, 1 failed, 2 usage, 3
 *       nothing runs).
 *   <li>{@link io.strand.tools.launcher.StartCommand}, {@link io.strand.tools.launcher.StatusCommand},
 *       {@link io.strand.tools.launcher.StopCommand}: one class per command.
 *   <li>{@link io.strand.tools.launcher.ClusterFiles}: writes cluster.conf, zoo.cfg and each broker's
 *       server.properties (key names from {@code io.strand.server.BrokerConfig}, validated by it).
 *   <li>{@link io.strand.tools.launcher.ProcessControl}: starts the JVMs detached (through {@code
 *       setsid} and {@code bin/strand-zookeeper}, {@code bin/strand-broker}), recognises them by pid
 *       file plus command line, stops them; {@link io.strand.tools.launcher.DirLock} keeps two
 *       commands off one directory.
 *   <li>{@link io.strand.tools.launcher.LocalClusterControl}: the public face other tools use ({@code
 *       strand check --kill-leaders}): a broker's pid, {@code kill -9}, starting what does not run.
 *   <li>Readiness: {@link io.strand.tools.launcher.SocketProbes} (ports, ZooKeeper's {@code srvr}) and
 *       {@link io.strand.tools.launcher.ClusterProbe} (every broker lists all brokers, Kafka
 *       {@code Admin.describeCluster()}).
 * </ul>
 *
 * <p>Output: stdout carries only a command's result (start: the bootstrap servers; status: the
 * table); progress and errors go to stderr. Threading: everything runs on the calling thread, one
 * command per JVM.
 */
package io.strand.tools.launcher;
