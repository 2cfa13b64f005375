package io.strand.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer reading while a fault happens: a thread that polls a consumer the test has assigned
 * or subscribed, recording every record in a {@link ProduceConsumeValidator}, until {@link
 * #stop()}. Typically the test stops its {@link BackgroundProducer}, then {@link
 * #awaitEveryAcknowledgedRecord waits until nothing acknowledged is missing}, then stops this.
 *
 * <p>Threading: one polling thread owns the consumer (and closes it); the other methods are called
 * from the test thread.
 */
public final class BackgroundConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundConsumer.class);

    private final Consumer<byte[], byte[]> consumer;
    private final ProduceConsumeValidator validator;
    private final Thread thread;
    private final AtomicReference<Throwable> died = new AtomicReference<>();
    private volatile boolean running = true;

    private BackgroundConsumer(String name, Consumer<byte[], byte[]> consumer, ProduceConsumeValidator validator) {
        this.consumer = consumer;
        this.validator = validator;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Starts polling {@code consumer} (already assigned or subscribed; this object closes it). */
    public static BackgroundConsumer start(
            String name, Consumer<byte[], byte[]> consumer, ProduceConsumeValidator validator) {
        BackgroundConsumer c = new BackgroundConsumer(name, consumer, validator);
        c.thread.start();
        return c;
    }

    private void run() {
        try (consumer) {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    validator.consumed(r);
                }
            }
        } catch (Throwable t) {
            log.error("background consumer {} died", thread.getName(), t);
            died.set(t);
        }
    }

    /** Waits until every record acknowledged so far has been consumed (by this or any consumer). */
    public void awaitEveryAcknowledgedRecord(Duration timeout) throws InterruptedException {
        Wait.waitUntil(
                "every acknowledged record is consumed",
                timeout,
                () -> {
                    if (died.get() != null) {
                        throw new AssertionError("the background consumer died", died.get());
                    }
                    return validator.lost().isEmpty();
                },
                () -> validator.lost().size() + " not yet consumed, e.g. "
                        + validator.lost().stream().limit(10).toList() + " (" + validator.summary() + ")");
    }

    /** Stops polling and closes the consumer; fails if the polling thread died. */
    public void stop(Duration timeout) throws InterruptedException {
        running = false;
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError("the background consumer did not stop within " + timeout);
        }
        if (died.get() != null) {
            throw new AssertionError("the background consumer died", died.get());
        }
    }

    /** Stops (as {@link #stop(Duration)} with 30 seconds) unless already stopped. */
    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive() || running) {
            stop(Duration.ofSeconds(30));
        }
    }
}
