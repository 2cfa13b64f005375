package io.strand.tools.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where the launcher's output goes: stdout carries only a command's result (the bootstrap servers
 * of {@code start}, the table of {@code status}); progress and errors go to stderr, errors prefixed
 * with {@code strand-cluster: }.
 *
 * <p>Used by one command on the calling thread.
 */
final class Console {
    static final String PROG = "strand-cluster";
    private static final int LOG_TAIL_LINES = 40;
    private static final int LOG_TAIL_BYTES = 256 * 1024;

    private final PrintStream out;
    private final PrintStream err;

    Console(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** A line of the command's result, on stdout. */
    void result(String line) {
        out.println(line);
    }

    /** A progress line, on stderr. */
    void say(String line) {
        err.println(line);
    }

    /** An error line, on stderr: {@code strand-cluster: <message>}. */
    void error(String message) {
        err.println(PROG + ": " + message);
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** The last 40 lines of a process's log, on stderr. */
    void showLogTail(ClusterProcess p) {
        say("----- last " + LOG_TAIL_LINES + " lines of " + p.logFile() + " -----");
        if (Files.isRegularFile(p.logFile())) {
            try {
                for (String line : tail(p.logFile())) {
                    say(line);
                }
            } catch (IOException e) {
                say("(cannot read the log: " + e.getMessage() + ")");
            }
        } else {
            say("(no log)");
        }
        say("-----");
    }

    private static List<String> tail(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(length, LOG_TAIL_BYTES);
            byte[] bytes = new byte[n];
            f.seek(length - n);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty()) {
                return List.of();
            }
            List<String> lines = Arrays.asList(text.split("\n", -1));
            return lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
        }
    }
}
