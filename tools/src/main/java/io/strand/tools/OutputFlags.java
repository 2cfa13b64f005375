package io.strand.tools;

import com.beust.jcommander.Parameter;

/** Flags of commands that print results. */
final class OutputFlags {
    @Parameter(names = "--json", description = "Print JSON instead of a table")
    boolean json;
}
