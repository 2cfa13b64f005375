package io.strand.tools.bench;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command line of a benchmark: its flags plus {@code -h/--help}, which prints the usage. */
final class BenchArgs {
    private BenchArgs() {}

    private static final class Help {
        @Parameter(
                names = {"-h", "--help"},
                help = true)
        boolean help;
    }

    /**
     * Parses {@code args} into {@code flags}.
     *
     * @return false if --help was given (the usage was printed and the benchmark should not run)
     */
    static boolean parse(String program, Object flags, String[] args) {
        Help help = new Help();
        JCommander jc = JCommander.newBuilder()
                .addObject(flags)
                .addObject(help)
                .programName(program)
                .build();
        jc.parse(args);
        if (help.help) {
            jc.usage();
            return false;
        }
        return true;
    }

    /**
     * The values of a repeatable {@code name=value} flag (such as {@code --compare
     * kafka=127.0.0.1:9092}), by name in the order given.
     *
     * @throws ParameterException when one has no name or a name comes twice
     */
    static Map<String, String> named(String flag, List<String> specs) {
        Map<String, String> named = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(flag + " takes name=value, not " + spec);
            }
            if (named.put(spec.substring(0, eq), spec.substring(eq + 1)) != null) {
                throw new ParameterException(flag + " names " + spec.substring(0, eq) + " twice");
            }
        }
        return named;
    }
}
