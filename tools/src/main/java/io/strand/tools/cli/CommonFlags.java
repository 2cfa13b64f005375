package io.strand.tools.cli;

import com.beust.jcommander.Parameter;

/**
 * Flags every command takes. {@link io.strand.tools.StrandCli} adds them beside the command's own
 * flags object, so a command does not declare them.
 */
public final class CommonFlags {
    @Parameter(
            names = {"-h", "--help"},
            help = true,
            description = "Show the options of this command")
    boolean help;

    @Parameter(names = "--verbose", description = "Log at INFO and print stack traces of failures")
    boolean verbose;

    public boolean help() {
        return help;
    }

    public boolean verbose() {
        return verbose;
    }
}
