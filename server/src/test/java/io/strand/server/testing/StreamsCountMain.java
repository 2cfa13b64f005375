package io.strand.server.testing;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.Stores;

/**
 * A Kafka Streams word count with exactly_once_v2, run in a child JVM by {@code
 * StreamsExactlyOnceTest} so that it can be killed with {@code kill -9}: input records (key any,
 * value a word) are re-keyed by the word (a repartition topic), counted in an in-memory store (its
 * changelog topic restores it in a new instance) and each new count goes to the output topic as
 * (word, Long). Arguments: bootstrap servers, application id, input topic, output topic, state
 * directory. Prints {@code processing.guarantee=...} as Streams resolved it, each state change
 * ({@code state RUNNING}), each changelog partition restored ({@code restored N <partition>}), and
 * {@code counted N} (updates so far in this instance) every 200 ms; SIGTERM closes it cleanly.
 */
public final class StreamsCountMain {
    private StreamsCountMain() {}

    public static Topology topology(String input, String output, AtomicLong counted) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .groupBy((key, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("word-counts"))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.Long()))
                .toStream()
                .peek((word, count) -> counted.incrementAndGet())
                .to(output, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String applicationId = args[1];
        String input = args[2];
        String output = args[3];
        String stateDir = args[4];

        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3");
        // a dead instance leaves the group after 6 s (the brokers' minimum), not Streams' 45 s
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        StreamsConfig config = new StreamsConfig(p);
        System.out.println("processing.guarantee=" + config.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));

        AtomicLong counted = new AtomicLong();
        KafkaStreams streams = new KafkaStreams(topology(input, output, counted), config);
        CountDownLatch closed = new CountDownLatch(1);
        streams.setStateListener((now, before) -> System.out.println("state " + now));
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long start, long end) {}

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long restored) {}

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long restored) {
                System.out.println("restored " + restored + " " + partition);
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            System.out.println("uncaught " + e);
            e.printStackTrace(System.out);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            System.out.println("closed");
            closed.countDown();
        }));
        streams.start();
        Thread progress = new Thread(
                () -> {
                    try {
                        while (true) {
                            Thread.sleep(200);
                            System.out.println("counted " + counted.get());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "progress");
        progress.setDaemon(true);
        progress.start();
        closed.await();
    }
}
