/**
 * Benchmarks run by {@code bin/strand-bench}, each a {@code main} with its own JCommander flags
 * (not {@code strand} commands): {@link io.strand.tools.bench.ProducerBenchmark} (produce
 * throughput and latency with the stock Java client), {@link
 * io.strand.tools.bench.TransactionBenchmark} (a transactional producer committing every N
 * records), {@link io.strand.tools.bench.CompactionBenchmark} (log cleaner throughput and produce
 * throughput on a topic being compacted, read from the brokers' cleaner summaries by {@link
 * io.strand.tools.bench.CleanerLog}) and {@link io.strand.tools.bench.FailoverBenchmark} (the
 * controller's time to move leadership off a broker that vanished). The first three compare
 * clusters (Strand, Apache Kafka) round by round; {@code bin/strand-bench compare-kafka} starts
 * them.
 */
package io.strand.tools.bench;
