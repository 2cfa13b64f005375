package io.strand.tools.cli;

import java.io.PrintStream;

/**
 * Where a command prints, and how it is told to stop. Thread-safe: lines from several threads (a
 * watch prints from Curator's event thread) do not interleave.
 */
public record Io(PrintStream out, PrintStream err, StopSignal stop) {
    /** Prints one line and flushes, so output can be piped while a command runs. */
    public void println(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    public void warn(String line) {
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }
}
