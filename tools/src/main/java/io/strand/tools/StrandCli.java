package io.strand.tools;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import io.strand.tools.check.CheckCommands;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.CommandSpec;
import io.strand.tools.cli.CommonFlags;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.SigInt;
import io.strand.tools.cli.StopSignal;
import io.strand.tools.cli.UsageException;
import io.strand.tools.cluster.ClusterCommands;
import io.strand.tools.configs.ConfigsCommands;
import io.strand.tools.groups.GroupsCommands;
import io.strand.tools.reassign.ReassignCommands;
import io.strand.tools.topics.TopicsCommands;
import io.strand.tools.transactions.TransactionsCommands;
import io.strand.tools.zk.ZkCommands;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The {@code strand} command: picks the command from the leading words ({@code topics create},
 * {@code zk get}, {@code watch}, ...) among those the group classes register, lets JCommander parse
 * that command's flags (with the {@link CommonFlags} beside them), runs it, and maps every outcome
 * to an exit code: 0 ok, 1 failed, 2 usage error. Failures are one line on stderr; {@code
 * --verbose} adds the stack trace.
 *
 * <p>Threading: {@link #run} runs one command line on the calling thread; runs on different
 * threads are independent, except that {@code --verbose} changes the process-wide log levels for
 * the duration of its run.
 */
public final class StrandCli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /**
     * Every command, in the order {@code strand --help} lists them: each group class registers the
     * commands of its package. A new group goes here.
     */
    private static final Map<String, CommandSpec> COMMANDS = new LinkedHashMap<>();

    static {
        for (List<CommandSpec> group : List.of(
                TopicsCommands.commands(),
                ConfigsCommands.commands(),
                ReassignCommands.commands(),
                ClusterCommands.commands(),
                ZkCommands.commands(),
                GroupsCommands.commands(),
                TransactionsCommands.commands(),
                CheckCommands.commands())) {
            group.forEach(spec -> COMMANDS.put(spec.name(), spec));
        }
    }

    private StrandCli() {}

    public static void main(String[] args) {
        StopSignal stop = new StopSignal();
        SigInt.install(() -> {
            if (stop.awaited() && !stop.stopped()) {
                stop.stop(); // a watch ends normally: exit 0; a check stops writing and reports
            } else {
                System.exit(130);
            }
        });
        int code = run(args, System.out, System.err, stop);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command line; never throws and never exits the JVM. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, new StopSignal());
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}; {@code stop} ends a running {@code watch}. */
    public static int run(String[] args, PrintStream out, PrintStream err, StopSignal stop) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        String command = null;
        try {
            if (args.length == 0) {
                help(err);
                err.println("error: no command given");
                return USAGE;
            }
            if (isHelp(args[0])) {
                help(out);
                return OK;
            }
            CommandSpec spec = COMMANDS.get(args[0]);
            int words = 1;
            if (spec == null) {
                Set<String> subcommands = subcommands(args[0]);
                if (subcommands.isEmpty()) {
                    throw new UsageException(
                            "unknown command '" + args[0] + "'; commands are " + String.join(", ", groups()));
                }
                if (args.length < 2 || args[1].startsWith("-")) {
                    if (args.length >= 2 && isHelp(args[1])) {
                        groupHelp(out, args[0]);
                        return OK;
                    }
                    command = args[0];
                    throw new UsageException(
                            "'strand " + args[0] + "' needs a subcommand: " + String.join(", ", subcommands));
                }
                spec = COMMANDS.get(args[0] + " " + args[1]);
                if (spec == null) {
                    command = args[0];
                    throw new UsageException("unknown command 'strand " + args[0] + " " + args[1] + "'; " + args[0]
                            + " subcommands are " + String.join(", ", subcommands));
                }
                words = 2;
            }
            command = spec.name();
            Command<?> cmd = spec.factory().get();
            CommonFlags common = new CommonFlags();
            JCommander jc = JCommander.newBuilder()
                    .programName("strand " + spec.name())
                    .addObject(common)
                    .addObject(cmd.flags())
                    .build();
            try {
                jc.parse(Arrays.copyOfRange(args, words, args.length));
            } catch (ParameterException e) {
                throw new UsageException(jcommanderMessage(e), e);
            }
            if (common.help()) {
                StringBuilder usage = new StringBuilder();
                jc.getUsageFormatter().usage(usage);
                out.println(spec.description() + ".");
                out.print(usage);
                out.flush();
                return OK;
            }
            verbose |= common.verbose();
            Runnable restoreLogging = verbose ? verboseLogging() : () -> {};
            try {
                return cmd.run(new Io(out, err, stop));
            } finally {
                restoreLogging.run();
            }
        } catch (UsageException e) {
            err.println("error: " + Failures.oneLine(e.getMessage())
                    + (command == null ? " (see 'strand --help')" : " (see 'strand " + command + " --help')"));
            trace(err, e, verbose);
            return USAGE;
        } catch (CliException e) {
            err.println("error: " + Failures.oneLine(e.getMessage()));
            trace(err, e, verbose);
            return FAILED;
        } catch (Exception | LinkageError | AssertionError e) {
            err.println("error: " + (command == null ? "" : command + " failed: ") + Failures.describe(e)
                    + (verbose ? "" : " (--verbose shows the stack trace)"));
            trace(err, e, verbose);
            return FAILED;
        } finally {
            err.flush();
            out.flush();
        }
    }

    private static void trace(PrintStream err, Throwable e, boolean verbose) {
        if (verbose) {
            e.printStackTrace(err);
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("-h") || arg.equals("--help") || arg.equals("help");
    }

    private static Set<String> groups() {
        Set<String> out = new LinkedHashSet<>();
        COMMANDS.keySet().forEach(name -> out.add(name.split(" ")[0]));
        return out;
    }

    private static Set<String> subcommands(String group) {
        Set<String> out = new LinkedHashSet<>();
        COMMANDS.keySet().stream()
                .filter(n -> n.startsWith(group + " "))
                .forEach(n -> out.add(n.substring(group.length() + 1)));
        return out;
    }

    /** JCommander's messages, reworded where they would confuse ("main parameter" means a stray argument). */
    private static String jcommanderMessage(ParameterException e) {
        String m = e.getMessage() == null ? "bad arguments" : e.getMessage();
        java.util.regex.Matcher unexpected = java.util.regex.Pattern.compile(
                        "Was passed main parameter '(.*)' but no main parameter was defined.*")
                .matcher(m);
        if (unexpected.matches()) {
            String arg = unexpected.group(1);
            return arg.startsWith("-") ? "unknown flag " + arg : "unexpected argument '" + arg + "'";
        }
        if (m.startsWith("The following option is required: ")
                || m.startsWith("The following options are required: ")) {
            // "[-t | --topic], [--x]" -> "--topic, --x"
            java.util.List<String> flags = new java.util.ArrayList<>();
            for (String option : m.substring(m.indexOf(':') + 2).split(",")) {
                String[] names = option.replace("[", "").replace("]", "").trim().split(" \\| ");
                flags.add(names[names.length - 1]);
            }
            return "missing required flag " + String.join(", ", flags);
        }
        return m;
    }

    private static void help(PrintStream out) {
        out.println("Usage: strand <command> [options]");
        out.println();
        out.println("Commands:");
        int width = COMMANDS.keySet().stream().mapToInt(String::length).max().orElse(0);
        COMMANDS.values()
                .forEach(s -> out.println(
                        "  " + s.name() + " ".repeat(width - s.name().length() + 2) + s.description()));
        out.println();
        out.println("Run 'strand <command> --help' for the options of a command.");
        out.println("Exit codes: 0 ok, 1 failed, 2 usage error.");
        out.flush();
    }

    private static void groupHelp(PrintStream out, String group) {
        out.println("Usage: strand " + group + " <" + String.join("|", subcommands(group)) + "> [options]");
        out.println();
        int width = COMMANDS.keySet().stream().mapToInt(String::length).max().orElse(0);
        COMMANDS.values().stream()
                .filter(s -> s.name().startsWith(group + " "))
                .forEach(s -> out.println(
                        "  " + s.name() + " ".repeat(width - s.name().length() + 2) + s.description()));
        out.println();
        out.println("Run 'strand " + group + " <subcommand> --help' for its options.");
        out.flush();
    }

    /**
     * --verbose: INFO from every logger, including those quietened in logback.xml.
     *
     * @return what puts the levels back (for in-process runs such as tests)
     */
    private static Runnable verboseLogging() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return () -> {};
        }
        Map<ch.qos.logback.classic.Logger, Level> before = new LinkedHashMap<>();
        for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
            if (logger.getLevel() != null) {
                before.put(logger, logger.getLevel());
                logger.setLevel(null);
            }
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        return () -> {
            before.forEach(ch.qos.logback.classic.Logger::setLevel);
            root.setLevel(rootLevel);
        };
    }
}
