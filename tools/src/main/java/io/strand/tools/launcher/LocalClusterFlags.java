package io.strand.tools.launcher;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import com.beust.jcommander.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code bin/strand-cluster}: one of {@code start}, {@code stop}, {@code status},
 * and {@code --brokers --dir --zk-port --base-port --timeout}, each as {@code --flag value} or
 * {@code --flag=value} (the last one wins). JCommander binds the flags; the checks and their messages
 * are those of the shell script this launcher replaced, so that scripts which parse them keep working.
 *
 * <p>Created for one parse on the calling thread.
 */
@Parameters(separators = "=")
final class LocalClusterFlags {
    enum Command {
        START,
        STOP,
        STATUS
    }

    /**
     * What the command line asks for; a null field was not given.
     *
     * @param dir never null: {@code ./strand-data} when not given
     * @param secure {@code --secure} was given
     */
    record Options(
            Command command,
            Integer brokers,
            String dir,
            Integer zkPort,
            Integer basePort,
            Integer timeoutSeconds,
            boolean secure) {}

    static final String DEFAULT_DIR = "./strand-data";

    private static final Pattern NEEDS_VALUE = Pattern.compile("Expected a value after parameter (\\S+)");

    /** The command words, and also every argument JCommander does not know, in their order. */
    @Parameter(description = "start|stop|status")
    private List<String> words = new ArrayList<>();

    @Parameter(names = "--brokers")
    private String brokers;

    @Parameter(names = "--dir")
    private String dir;

    @Parameter(names = "--zk-port")
    private String zkPort;

    @Parameter(names = "--base-port")
    private String basePort;

    @Parameter(names = "--timeout")
    private String timeout;

    @Parameter(names = "--secure")
    private boolean secure;

    @Parameter(
            names = {"-h", "--help"},
            help = true)
    private boolean help;

    private LocalClusterFlags() {}

    /**
     * @return the options, or empty for {@code -h}, {@code --help} or {@code help}
     * @throws UsageException for a command line the launcher does not accept (exit 2)
     */
    static Optional<Options> parse(String... args) throws UsageException {
        LocalClusterFlags f = new LocalClusterFlags();
        try {
            JCommander.newBuilder()
                    .programName(Console.PROG)
                    .addObject(f)
                    .allowParameterOverwriting(true)
                    .expandAtSign(false)
                    .build()
                    .parse(args);
        } catch (ParameterException e) {
            String m = e.getMessage() == null ? "bad arguments" : e.getMessage();
            Matcher needsValue = NEEDS_VALUE.matcher(m);
            throw new UsageException(needsValue.matches() ? needsValue.group(1) + " needs a value" : m);
        }
        if (f.help) {
            return Optional.empty();
        }
        Command command = null;
        for (String w : f.words) {
            Command c = switch (w) {
                case "start" -> Command.START;
                case "stop" -> Command.STOP;
                case "status" -> Command.STATUS;
                case "help" -> null;
                default -> throw new UsageException("unknown argument: " + w + " (see --help)");
            };
            if (c == null) {
                return Optional.empty();
            }
            if (command != null) {
                throw new UsageException("one command at a time (" + word(command) + ", " + w + ")");
            }
            command = c;
        }
        String brokers = given("--brokers", f.brokers);
        String dir = given("--dir", f.dir);
        String zkPort = given("--zk-port", f.zkPort);
        String basePort = given("--base-port", f.basePort);
        String timeout = given("--timeout", f.timeout);
        if (command == null) {
            throw new UsageException(null);
        }
        Integer brokerCount = null;
        if (brokers != null) {
            brokerCount = ClusterLayout.uint(brokers)
                    .filter(n -> n >= 1 && n <= 99)
                    .orElseThrow(() -> new UsageException("--brokers must be a number from 1 to 99: " + brokers));
        }
        Integer zk = port(zkPort);
        Integer base = port(basePort);
        Integer timeoutSeconds = null;
        if (timeout != null) {
            timeoutSeconds = ClusterLayout.uint(timeout)
                    .filter(n -> n >= 1)
                    .orElseThrow(
                            () -> new UsageException("--timeout must be a positive number of seconds: " + timeout));
        }
        if (command != Command.START && (brokers != null || zkPort != null || basePort != null)) {
            throw new UsageException("--brokers, --zk-port and --base-port belong to start");
        }
        if (command != Command.START && f.secure) {
            throw new UsageException("--secure belongs to start");
        }
        return Optional.of(
                new Options(command, brokerCount, dir == null ? DEFAULT_DIR : dir, zk, base, timeoutSeconds, f.secure));
    }

    static String word(Command c) {
        return c.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A flag's value; an empty one is refused as if it were missing. */
    private static String given(String flag, String value) throws UsageException {
        if (value != null && value.isEmpty()) {
            throw new UsageException(flag + " needs a value");
        }
        return value;
    }

    private static Integer port(String value) throws UsageException {
        if (value == null) {
            return null;
        }
        return ClusterLayout.uint(value)
                .filter(n -> n >= 1 && n <= 65535)
                .orElseThrow(() -> new UsageException("not a port: " + value));
    }
}
