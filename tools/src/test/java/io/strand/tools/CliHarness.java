package io.strand.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strand.testing.Wait;
import io.strand.tools.cli.StopSignal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Runs the CLI in-process and captures what it prints; shared by the tools tests of every package. */
public final class CliHarness {
    private CliHarness() {}

    public record Result(int code, String out, String err) {
        public List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        public List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StrandCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code args} followed by {@code more}: a command line with flags every call of a test adds. */
    public static String[] with(String[] args, String... more) {
        String[] out = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }

    /** The command failed with {@code code} and exactly one line on stderr containing every fragment, no stack trace. */
    public static void assertOneLineError(Result r, int code, String... fragments) {
        assertEquals(code, r.code(), r::toString);
        assertEquals(1, r.errLines().size(), () -> "expected one line on stderr:\n" + r);
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("error: "), () -> "expected 'error: ...', got " + line);
        for (String f : fragments) {
            assertTrue(line.contains(f), () -> "expected '" + f + "' in: " + line);
        }
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception:"), () -> "stack trace on stderr:\n" + r);
    }

    /** A command running on its own thread (watch), until {@link #stop()}. */
    public static final class Running implements AutoCloseable {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final StopSignal stop = new StopSignal();
        private final CompletableFuture<Integer> code = new CompletableFuture<>();

        public Running(String... args) {
            Thread t = new Thread(
                    () -> {
                        try {
                            code.complete(StrandCli.run(
                                    args,
                                    new PrintStream(out, true, StandardCharsets.UTF_8),
                                    new PrintStream(err, true, StandardCharsets.UTF_8),
                                    stop));
                        } catch (Throwable e) {
                            code.completeExceptionally(e);
                        }
                    },
                    "cli-" + String.join("-", args));
            t.setDaemon(true);
            t.start();
        }

        public String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        public String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        public List<String> outLines() {
            String o = out();
            return o.isEmpty() ? List.of() : Arrays.asList(o.split("\n"));
        }

        /** Waits until stdout satisfies {@code condition}; fails with everything printed so far otherwise. */
        public void awaitOut(String what, Predicate<String> condition, Duration timeout) throws InterruptedException {
            await(what, () -> condition.test(out()), timeout);
        }

        public void awaitErr(String what, Predicate<String> condition, Duration timeout) throws InterruptedException {
            await(what, () -> condition.test(err()), timeout);
        }

        private void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
                throws InterruptedException {
            Wait.waitUntil(
                    what,
                    timeout,
                    () -> {
                        if (condition.getAsBoolean()) {
                            return true;
                        }
                        if (code.isDone()) {
                            fail("command ended before " + what + ": exit " + code.getNow(-1) + "\n--- stdout\n" + out()
                                    + "--- stderr\n" + err());
                        }
                        return false;
                    },
                    () -> "\n--- stdout\n" + out() + "--- stderr\n" + err());
        }

        /** Stops the command as Ctrl-C would and returns its exit code. */
        public int stop() throws Exception {
            stop.stop();
            return code.get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            stop.stop();
        }
    }
}
