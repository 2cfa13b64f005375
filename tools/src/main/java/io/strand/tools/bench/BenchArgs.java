package io.strand.tools.bench;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;

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
}
