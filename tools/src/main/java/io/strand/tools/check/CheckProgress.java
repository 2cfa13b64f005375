package io.strand.tools.check;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The progress of a {@code strand check} run, on stderr (stdout keeps only the result). On a
 * terminal ({@code System.console() != null}) one line is redrawn in place twice a second, with a
 * bar of the duration written so far; otherwise a plain line is printed every {@value
 * #PLAIN_EVERY_SECONDS} seconds. Events (a broker killed, restarted) are lines of their own either
 * way.
 *
 * <p>Threading: a single daemon thread draws; {@link #stage} and {@link #event} may be called from
 * any thread (they and the drawing synchronize on this object).
 */
final class CheckProgress implements AutoCloseable {
    static final int PLAIN_EVERY_SECONDS = 5;
    private static final int BAR = 24;

    private final PrintStream err;
    private final boolean terminal;
    private final DeliveryLedger ledger;
    private final long durationMs;
    private final int killsPlanned;
    private final IntSupplier killsDone;
    private final ScheduledExecutorService drawer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strand-check-progress");
        t.setDaemon(true);
        return t;
    });
    private final long startNanos = System.nanoTime();
    private String stage = "writing";
    private int drawn;

    CheckProgress(
            PrintStream err,
            boolean terminal,
            DeliveryLedger ledger,
            long durationMs,
            int killsPlanned,
            IntSupplier killsDone) {
        this.err = err;
        this.terminal = terminal;
        this.ledger = ledger;
        this.durationMs = durationMs;
        this.killsPlanned = killsPlanned;
        this.killsDone = killsDone;
    }

    void start() {
        long every = terminal ? 500 : TimeUnit.SECONDS.toMillis(PLAIN_EVERY_SECONDS);
        drawer.scheduleAtFixedRate(this::draw, every, every, TimeUnit.MILLISECONDS);
    }

    /** What the run does now: "writing", "draining", "reading". */
    synchronized void stage(String stage) {
        this.stage = stage;
    }

    /** A line of its own, above the progress line. */
    synchronized void event(String line) {
        clear();
        err.println(line);
        err.flush();
        if (terminal) {
            drawNow();
        }
    }

    private synchronized void draw() {
        if (terminal) {
            drawNow();
        } else {
            err.println(line());
            err.flush();
        }
    }

    private void drawNow() {
        String line = line();
        err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
        err.flush();
        drawn = line.length();
    }

    private void clear() {
        if (terminal && drawn > 0) {
            err.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
    }

    private String line() {
        DeliveryLedger.Progress p = ledger.progress();
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        StringBuilder sb = new StringBuilder();
        if (terminal && stage.equals("writing") && durationMs > 0) {
            int filled = (int) Math.min(BAR, elapsed * BAR / durationMs);
            sb.append('[')
                    .append("#".repeat(filled))
                    .append("-".repeat(BAR - filled))
                    .append("] ");
        }
        boolean overtime = stage.equals("writing") && killsPlanned > 0 && elapsed > durationMs;
        sb.append(String.format(
                Locale.ROOT,
                "%s %5.1f s  sent %d  acked %d  failed %d  read %d",
                overtime ? "writing until the last kill has recovered," : stage,
                elapsed / 1000.0,
                p.sent(),
                p.acknowledged(),
                p.sendFailures(),
                p.read()));
        if (killsPlanned > 0) {
            sb.append("  kills ").append(killsDone.getAsInt()).append('/').append(killsPlanned);
        }
        return sb.toString();
    }

    /** Stops drawing and ends the progress line. */
    @Override
    public synchronized void close() {
        drawer.shutdownNow();
        clear();
        err.flush();
    }
}
