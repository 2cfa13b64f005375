package io.strand.tools.cli;

import com.beust.jcommander.Parameter;
import java.util.function.Supplier;

/** Flags of commands that print results: compose with {@code @ParametersDelegate}. */
public final class OutputFlags {
    @Parameter(names = "--json", description = "Print JSON instead of a table")
    boolean json;

    public boolean json() {
        return json;
    }

    /**
     * Prints a command's result: with --json the value {@code json} makes (maps, lists, ... as {@link
     * Json#write} takes them) on one line, otherwise what {@code text} prints.
     */
    public void print(Io io, Supplier<?> json, Runnable text) {
        if (this.json) {
            io.println(Json.write(json.get()));
        } else {
            text.run();
        }
    }
}
