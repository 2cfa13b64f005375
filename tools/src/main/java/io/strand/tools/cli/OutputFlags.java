package io.strand.tools.cli;

import com.beust.jcommander.Parameter;

/** Flags of commands that print results: compose with {@code @ParametersDelegate}. */
public final class OutputFlags {
    @Parameter(names = "--json", description = "Print JSON instead of a table")
    boolean json;

    public boolean json() {
        return json;
    }
}
