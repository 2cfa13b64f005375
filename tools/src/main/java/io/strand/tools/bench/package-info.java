/**
 * Benchmarks run by {@code bin/strand-bench}, each a {@code main} with its own JCommander flags
 * (not {@code strand} commands): {@link io.strand.tools.bench.ProducerBenchmark} (produce
 * throughput and latency with the stock Java client; with {@code --compare} several clusters by {@link
 * io.strand.tools.bench.ProducerComparison}, with the brokers' CPU and memory from {@link
 * io.strand.tools.bench.BrokerUsage}, Strand's acks=all breakdown from {@link
 * io.strand.tools.bench.AckLatencyProbe} and a new group's read rate from {@link
 * io.strand.tools.bench.ConsumerReadRate}), {@link
 * io.strand.tools.bench.TransactionBenchmark} (a transactional producer committing every N
 * records), {@link io.strand.tools.bench.CompactionBenchmark} (log cleaner throughput and produce
 * throughput on a topic being compacted, read from the brokers' cleaner summaries by {@link
 * io.strand.tools.bench.CleanerLog}), {@link io.strand.tools.bench.RebalanceBenchmark} (the time
 * from a member's join to every member of a consuming group consuming again, per group protocol),
 * {@link io.strand.tools.bench.ShareGroupBenchmark} (records/s acknowledged by share consumers on one
 * partition), {@link io.strand.tools.bench.FailoverBenchmark} (the controller's time to move
 * leadership off a broker that vanished) and {@link io.strand.tools.bench.MetadataScaleBenchmark} (at
 * 100,000 partitions: a metadata cache's load time and heap, and re-election after a lost broker or
 * controller, on {@link io.strand.tools.bench.SimulatedBroker}s over an {@link
 * io.strand.tools.bench.EmbeddedZooKeeper}). All but the last two compare clusters (Strand, Apache Kafka)
 * round by round, with the rotation and figures of {@link io.strand.tools.bench.Rounds}; {@code
 * bin/strand-bench compare-kafka} starts them.
 */
package io.strand.tools.bench;
