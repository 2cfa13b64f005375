package io.strand.testing;

import java.time.Duration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A consumer reading while a fault happens: a thread that polls a consumer the test has assigned
 * or subscribed, recording every record in a {@link ProduceConsumeValidator}, until {@link
 * #stop()}. Typically the test stops its {@link BackgroundProducer}, then {@link
 * #awaitEveryAcknowledgedRecord waits until nothing acknowledged is missing}, then stops this.
 *
 * <p>Threading: one polling thread owns the consumer (and closes it); the other methods are called
 * from the test thread.
 */
public final class BackgroundConsumer extends BackgroundLoop {

    private final Consumer<byte[], byte[]> consumer;
    private final ProduceConsumeValidator validator;

    private BackgroundConsumer(String name, Consumer<byte[], byte[]> consumer, ProduceConsumeValidator validator) {
        super("background consumer", name);
        this.consumer = consumer;
        this.validator = validator;
    }

    /** Starts polling {@code consumer} (already assigned or subscribed; this object closes it). */
    public static BackgroundConsumer start(
            String name, Consumer<byte[], byte[]> consumer, ProduceConsumeValidator validator) {
        BackgroundConsumer c = new BackgroundConsumer(name, consumer, validator);
        c.startThread();
        return c;
    }

    @Override
    void loop() {
        try (consumer) {
            while (running()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    validator.consumed(r);
                }
            }
        }
    }

    /** Waits until every record acknowledged so far has been consumed (by this or any consumer). */
    public void awaitEveryAcknowledgedRecord(Duration timeout) throws InterruptedException {
        Wait.waitUntil(
                "every acknowledged record is consumed",
                timeout,
                () -> {
                    failIfDied();
                    return validator.lost().isEmpty();
                },
                () -> validator.lost().size() + " not yet consumed, e.g. "
                        + validator.lost().stream().limit(10).toList() + " (" + validator.summary() + ")");
    }

    @Override
    Duration closeTimeout() {
        return Duration.ofSeconds(30);
    }
}
