package io.strand.tools;

/**
 * One CLI command ({@code topics create}, {@code zk get}, ...). Each implementation holds a nested
 * {@code Flags} class of JCommander {@code @Parameter} fields; a fresh instance is made per run.
 */
interface Command {
    /** The object JCommander fills from the command line. */
    Object flags();

    /** The --help/--verbose flags every command has. */
    CommonFlags common();

    /**
     * Runs the command after its flags were parsed.
     *
     * @return the exit code (0 ok, 1 failed)
     * @throws UsageException for a flag combination or value JCommander could not reject itself
     * @throws CliException for a failure to report in one line
     */
    int run(Io io) throws Exception;
}
