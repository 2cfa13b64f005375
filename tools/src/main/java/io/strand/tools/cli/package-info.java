/**
 * What every {@code strand} command is built from; no command lives here.
 *
 * <ul>
 *   <li>{@link io.strand.tools.cli.Command} (the base class of a command, holding its flags) and
 *       {@link io.strand.tools.cli.CommandSpec} (how a group class registers one).
 *   <li>Shared flags, composed into a command's flags with JCommander's {@code @ParametersDelegate}:
 *       {@link io.strand.tools.cli.BrokerFlags} ({@code --bootstrap-server}, {@code --timeout-ms}),
 *       {@link io.strand.tools.cli.ConnectionFlags} (those plus {@code --zookeeper}), {@link
 *       io.strand.tools.cli.ZkFlags} ({@code --zookeeper} with a default, {@code --timeout-ms}),
 *       {@link io.strand.tools.cli.OutputFlags} ({@code --json}, and printing a result as JSON or
 *       text), {@link io.strand.tools.cli.BrokerOutputFlags} (the broker flags with {@code --json});
 *       {@link
 *       io.strand.tools.cli.CommonFlags} ({@code --help}, {@code --verbose}) is added to every
 *       command by {@code StrandCli}. Helpers for flag values: {@link
 *       io.strand.tools.cli.NoSplitter}, {@link io.strand.tools.cli.ConfigOverrides}.
 *   <li>Connections: {@link io.strand.tools.cli.KafkaAdmin}, the one wrapper of Kafka's Admin client
 *       (creation from the flags, timeouts, one-line errors), and {@link
 *       io.strand.tools.cli.ZooKeeperClient}.
 *   <li>Output: {@link io.strand.tools.cli.Io}, {@link io.strand.tools.cli.Table}, {@link
 *       io.strand.tools.cli.Json} (and {@link io.strand.tools.cli.JsonReader} for the JSON files the
 *       tools read).
 *   <li>Errors: {@link io.strand.tools.cli.UsageException} (exit 2), {@link
 *       io.strand.tools.cli.CliException} (exit 1), {@link io.strand.tools.cli.Failures} (one-line
 *       messages).
 *   <li>Stopping: {@link io.strand.tools.cli.StopSignal}, {@link io.strand.tools.cli.SigInt}.
 * </ul>
 *
 * <p>This package depends on no command package; the command packages and {@link
 * io.strand.tools.StrandCli} depend on it.
 *
 * <p>Threading: flags, commands and connections belong to the one thread that runs a command line;
 * {@link io.strand.tools.cli.Io} and {@link io.strand.tools.cli.StopSignal} are thread-safe, for
 * {@code watch}, which prints from Curator's event thread and is stopped from the signal thread.
 */
package io.strand.tools.cli;
