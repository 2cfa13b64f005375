package io.strand.tools.cli;

/**
 * One CLI command ({@code topics create}, {@code zk get}, ...): a small class in its group's package
 * with a nested {@code Flags} class that JCommander fills. The flags shared with other commands are
 * composed into it with {@code @ParametersDelegate} ({@link BrokerFlags}, {@link ConnectionFlags},
 * {@link ZkFlags}, {@link OutputFlags}); {@code --help} and {@code --verbose} ({@link CommonFlags})
 * are added by {@link io.strand.tools.StrandCli}.
 *
 * <p>Threading: a fresh instance is made per run; {@link #run} is called once, on the thread that
 * runs the command line.
 *
 * @param <F> the flags class
 */
public abstract class Command<F> {
    /** The command's flags, filled from the command line before {@link #run}. */
    protected final F flags;

    protected Command(F flags) {
        this.flags = flags;
    }

    /** The object JCommander fills from the command line. */
    public final F flags() {
        return flags;
    }

    /**
     * Runs the command after its flags were parsed.
     *
     * @return the exit code (0 ok, 1 failed)
     * @throws UsageException for a flag combination or value JCommander could not reject itself
     * @throws CliException for a failure to report in one line
     */
    public abstract int run(Io io) throws Exception;
}
