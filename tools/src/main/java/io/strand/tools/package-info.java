/**
 * Strand's command-line tools, {@code bin/strand}: {@link io.strand.tools.StrandCli} is the entry
 * point. It finds the command from the leading words ({@code topics create}, {@code zk get}, {@code
 * watch}), lets JCommander parse that command's flags, runs it and maps the outcome to an exit code:
 * 0 ok, 1 the operation failed (unknown topic, topic exists, cluster unreachable), 2 usage error.
 * Every failure is one line on stderr; {@code --verbose} adds the stack trace.
 *
 * <p>One package per command group, each with a group class that registers its commands, and each
 * command a small class with a nested {@code Flags} class (or, where commands take exactly the same
 * flags, one flags class of the package, as {@code zk ls} and {@code zk get} do):
 *
 * <ul>
 *   <li>{@link io.strand.tools.topics} &mdash; {@code topics create|list|describe|delete|alter}
 *   <li>{@link io.strand.tools.configs} &mdash; {@code configs get|set|delete}
 *   <li>{@link io.strand.tools.reassign} &mdash; {@code reassign generate|execute|status|cancel} and
 *       {@code elect-leaders}
 *   <li>{@link io.strand.tools.cluster} &mdash; {@code cluster describe}
 *   <li>{@link io.strand.tools.zk} &mdash; {@code zk ls|get} and {@code watch}
 *   <li>{@link io.strand.tools.groups} &mdash; {@code groups list|describe|reset-offsets}
 *   <li>{@link io.strand.tools.check} &mdash; {@code check}: produce, consume, validate
 *   <li>{@link io.strand.tools.bench} &mdash; benchmarks, run by {@code bin/strand-bench} (not
 *       {@code strand} commands)
 *   <li>{@link io.strand.tools.launcher} &mdash; the local-cluster launcher behind {@code
 *       bin/strand-cluster start|stop|status} (its own main, not a {@code strand} command)
 * </ul>
 *
 * <p>What every command uses lives in {@link io.strand.tools.cli}: the {@code Command} base class, the
 * shared flags, the one Kafka Admin wrapper, ZooKeeper connections, output and errors. Only the
 * entry point stays here ({@code bin/strand} names it, and it lists the groups): the arrows run
 * {@code StrandCli -> group packages -> cli}, never back.
 *
 * <p><b>Adding a command.</b> Put a class {@code GroupVerb extends Command<GroupVerb.Flags>} in its
 * group's package, e.g. {@code topics/TopicsTruncate.java} for {@code strand topics truncate}. Its
 * nested {@code Flags} class composes the shared flags with {@code @ParametersDelegate} ({@code
 * ConnectionFlags} if it works through a broker or on the znodes, {@code BrokerFlags} if only
 * through a broker, {@code ZkFlags} if it only reads znodes, and {@code OutputFlags} for {@code
 * --json}) and declares its own {@code @Parameter}s; {@code --help} and {@code --verbose} come
 * without asking. Talk to Kafka through {@code KafkaAdmin}, throw {@code UsageException} for a bad
 * command line and {@code CliException} for a failure to report, and print through {@code Io}.
 * Register the command in the group class ({@code TopicsCommands.commands()}), describe it in
 * {@code docs/cli.md}, and add it to the lists of {@code StrandCliUsageTest}. A new group is a new
 * package with its group class, listed in {@code StrandCli}.
 *
 * <p>Threading: a command runs on the calling thread, except {@code watch}, whose lines are printed
 * from Curator's single event thread while the calling thread waits for Ctrl-C.
 */
package io.strand.tools;
