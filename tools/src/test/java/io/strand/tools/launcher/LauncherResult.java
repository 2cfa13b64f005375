package io.strand.tools.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One run of the launcher's command line in process, with what it printed and its exit code. */
record LauncherResult(int exit, String out, String err) {
    /**
     * Runs {@code strand-cluster ARGS} with {@code dir} as the working directory and no strand.home,
     * so that nothing can be started from here.
     */
    static LauncherResult run(Path dir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = new LocalCluster(null, dir, o, e, System.nanoTime()).run(args);
        }
        return new LauncherResult(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + exit + "\nstdout:\n" + out + "stderr:\n" + err;
    }
}
