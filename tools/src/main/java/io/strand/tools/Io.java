package io.strand.tools;

import java.io.PrintStream;

/** Where a command prints, and how it is told to stop. */
record Io(PrintStream out, PrintStream err, StopSignal stop) {
    /** Prints one line and flushes, so output can be piped while a command runs. */
    void println(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    void warn(String line) {
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }
}
