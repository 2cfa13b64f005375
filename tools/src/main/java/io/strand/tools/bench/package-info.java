/**
 * Benchmarks run by {@code bin/strand-bench}, each a {@code main} with its own JCommander flags
 * (not {@code strand} commands): {@link io.strand.tools.bench.ProducerBenchmark} (produce
 * throughput and latency with the stock Java client) and {@link
 * io.strand.tools.bench.FailoverBenchmark} (the controller's time to move leadership off a broker
 * that vanished).
 */
package io.strand.tools.bench;
