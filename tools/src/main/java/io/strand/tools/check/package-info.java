/**
 * {@code strand check}: a produce–consume–validate run against any cluster, the check the project
 * runs on itself offered as a command. {@link io.strand.tools.check.Check} is the command and its
 * flags; {@link io.strand.tools.check.CheckRun} runs it: {@link io.strand.tools.check.CheckProducer}
 * writes, {@link io.strand.tools.check.CheckConsumer} reads, {@link
 * io.strand.tools.check.DeliveryLedger} counts, {@link io.strand.tools.check.LeaderKiller} kills
 * leaders of a local cluster through the launcher, {@link io.strand.tools.check.CheckProgress} shows
 * progress, {@link io.strand.tools.check.CheckSummary} is the report and {@link
 * io.strand.tools.check.CheckState} the state file of a split run.
 *
 * <p>It does not share code with the test toolkit's {@code ProduceConsumeValidator}
 * (test-support): that module depends on no module of ours so that every module's tests can use it,
 * and the tools depend on the server, so a shared core in either place would make a cycle; and the
 * two keep different books — the validator any string values a test sends, this package numbered
 * records in bit sets, so that an hour's run stays small.
 */
package io.strand.tools.check;
