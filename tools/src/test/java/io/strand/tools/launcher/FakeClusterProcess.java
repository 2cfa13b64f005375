package io.strand.tools.launcher;

import java.util.concurrent.CountDownLatch;

/**
 * A stand-in JVM for {@link ProcessControlTest}: its command line holds whatever main class and
 * config file the test passes as arguments, and it waits until it is stopped. With {@code
 * --ignore-sigterm} first, a shutdown hook that never returns keeps it alive after SIGTERM. Prints
 * {@code ready} once it is set up.
 */
public final class FakeClusterProcess {
    private FakeClusterProcess() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("--ignore-sigterm")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
