package io.strand.tools;

import com.beust.jcommander.Parameter;

/** Flags every command takes. */
final class CommonFlags {
    @Parameter(
            names = {"-h", "--help"},
            help = true,
            description = "Show the options of this command")
    boolean help;

    @Parameter(names = "--verbose", description = "Log at INFO and print stack traces of failures")
    boolean verbose;
}
