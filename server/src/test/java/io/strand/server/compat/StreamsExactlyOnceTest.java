package io.strand.server.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.server.testing.StreamsCountMain;
import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams with {@code processing.guarantee=exactly_once_v2} against Strand, through a
 * {@code kill -9} of the application: a word count with a repartition topic and an in-memory store
 * ({@link StreamsCountMain} in a child JVM) counts 20,000 input records over 50 words; it is killed
 * while the input is still arriving, in the middle of a transaction that already has records in
 * the logs (the process is frozen with SIGSTOP until the brokers show such a transaction, then
 * killed); a new instance (same application id, its in-memory store restored from the changelog)
 * finishes the work; and the output read with read_committed holds, for every word, counts that
 * only ever increase and end at exactly the number of input records with that word: nothing the
 * killed instance had not committed is counted twice, and no committed increment is lost. The
 * killed instance's transaction ends aborted (by its timeout) and no partition is left with an
 * open transaction.
 */
@SystemTest
@ExtendWith(StrandClusterExtension.class)
class StreamsExactlyOnceTest {
    private static final Logger log = LoggerFactory.getLogger(StreamsExactlyOnceTest.class);
    private static final String APPLICATION_ID = "strand-eos-word-count";
    private static final String INPUT = "eos-words";
    private static final String OUTPUT = "eos-word-counts";
    private static final int INPUT_PARTITIONS = 4;
    private static final int OUTPUT_PARTITIONS = 4;
    private static final int RECORDS = 20_000;
    private static final int BEFORE_START = 8_000;
    private static final int WORDS = 50;

    @Test
    void shouldCountEveryInputRecordExactlyOnceThroughAKillOfTheApplication(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "min.insync.replicas=2",
                                "default.replication.factor=3",
                                "transaction.state.log.num.partitions=4",
                                "offsets.topic.num.partitions=4",
                                "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
                                "group.initial.rebalance.delay.ms=0"
                            })
                    StrandTestCluster cluster,
            @TempDir Path dir)
            throws Exception {
        long t0 = System.nanoTime();
        Random random = new Random(20_000);
        List<String> words = new ArrayList<>();
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < RECORDS; i++) {
            String word = "word-" + random.nextInt(WORDS);
            words.add(word);
            expected.merge(word, 1L, Long::sum);
        }
        try (Admin admin = cluster.admin();
                KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                        ProducerConfig.LINGER_MS_CONFIG, "5"));
                StreamsApp first = new StreamsApp(cluster, dir.resolve("first"));
                StreamsApp second = new StreamsApp(cluster, dir.resolve("second"))) {
            admin.createTopics(List.of(
                            new NewTopic(INPUT, INPUT_PARTITIONS, (short) 3),
                            new NewTopic(OUTPUT, OUTPUT_PARTITIONS, (short) 3)))
                    .all()
                    .get();
            for (int i = 0; i < BEFORE_START; i++) {
                send(producer, random, words.get(i));
            }
            producer.flush();

            first.start();
            first.awaitLine("the first instance running", Duration.ofSeconds(60), l -> l.equals("state RUNNING"));
            assertTrue(
                    first.lines().contains("processing.guarantee=exactly_once_v2"),
                    "the application runs exactly_once_v2: " + first.lines());
            long started = System.nanoTime();

            // the rest of the input arrives over ~6 s while the first instance counts
            AtomicReference<Exception> produceFailure = new AtomicReference<>();
            AtomicInteger produced = new AtomicInteger(BEFORE_START);
            Thread rest = new Thread(
                    () -> {
                        try {
                            for (int i = BEFORE_START; i < RECORDS; i++) {
                                send(producer, random, words.get(i));
                                if (i % 200 == 0) {
                                    producer.flush();
                                    produced.set(i);
                                    Thread.sleep(100);
                                }
                            }
                            producer.flush();
                            produced.set(RECORDS);
                        } catch (Exception e) {
                            produceFailure.set(e);
                        }
                    },
                    "rest-of-the-input");
            rest.start();

            // kill -9 halfway through the arriving input, while it counts, in the middle of a transaction
            // whose records are already in the logs (frozen first, so that what was seen is what is killed)
            long countedBefore = first.counted();
            Wait.waitUntil(
                    "the first instance counting the arriving input",
                    Duration.ofSeconds(30),
                    () -> produced.get() >= (BEFORE_START + RECORDS) / 2 && first.counted() > countedBefore + 200);
            OpenTransaction open = freezeInOpenTransaction(admin, first);
            first.kill();
            long killedAt = System.nanoTime();
            log.info(
                    "killed the first instance {} ms after it started running, {} of {} records produced, "
                            + "{} count updates made; its transaction {} (producer id {}) open with {} records "
                            + "in the logs: {}",
                    ms(started, killedAt),
                    produced.get(),
                    RECORDS,
                    first.counted(),
                    open.transactionalId(),
                    open.producerId(),
                    open.uncommitted().values().stream()
                            .mapToLong(Long::longValue)
                            .sum(),
                    open.uncommitted());
            assertFalse(first.lines().stream().anyMatch(l -> l.startsWith("uncaught")), "first: " + first.lines());

            second.start();
            second.awaitLine("the second instance running", Duration.ofSeconds(60), l -> l.equals("state RUNNING"));
            long secondRunning = System.nanoTime();
            rest.join(60_000);
            assertFalse(rest.isAlive(), "the input was produced");
            if (produceFailure.get() != null) {
                throw produceFailure.get();
            }
            Map<TopicPartition, OffsetSpec> inputEnds = new HashMap<>();
            for (int p = 0; p < INPUT_PARTITIONS; p++) {
                inputEnds.put(new TopicPartition(INPUT, p), OffsetSpec.latest());
            }
            assertEquals(
                    RECORDS,
                    admin.listOffsets(inputEnds).all().get().values().stream()
                            .mapToLong(i -> i.offset())
                            .sum(),
                    "the input topic holds every record once");

            OutputReader output = new OutputReader(cluster);
            try {
                long deadline = System.currentTimeMillis() + 60_000;
                while (System.currentTimeMillis() < deadline && !output.last().equals(expected)) {
                    output.poll();
                }
                long finished = System.nanoTime();
                log.info(
                        "second instance running {} ms after the kill, {} count records restored from the changelog; "
                                + "every word at its count {} ms after the kill",
                        ms(killedAt, secondRunning),
                        second.restored(),
                        ms(killedAt, finished));
                second.stop();
                assertFalse(
                        second.lines().stream().anyMatch(l -> l.startsWith("uncaught")), "second: " + second.lines());
                assertTrue(second.lines().contains("closed"), "the second instance closed cleanly: " + second.lines());
                output.readToEnd();
            } finally {
                output.close();
            }

            // per word: the counts in read_committed order only ever increase, and the last is the input's count
            for (Map.Entry<String, List<Long>> e : output.sequences().entrySet()) {
                List<Long> counts = e.getValue();
                for (int i = 1; i < counts.size(); i++) {
                    assertTrue(
                            counts.get(i - 1) < counts.get(i),
                            e.getKey() + ": count " + counts.get(i) + " after " + counts.get(i - 1) + " in " + counts);
                }
            }
            assertEquals(expected, output.last(), "every word counted exactly once");
            assertTrue(second.restored() > 0, "the second instance restored the counts from the changelog");

            // the killed instance's open transaction is aborted (it timed out), nothing is left open, and
            // both instances ran under the application's transactional ids
            Wait.waitUntil(
                    "the killed instance's transaction aborted",
                    Duration.ofSeconds(30),
                    () -> admin.describeTransactions(List.of(open.transactionalId()))
                                    .description(open.transactionalId())
                                    .get()
                                    .state()
                            == TransactionState.COMPLETE_ABORT);
            Map<String, TransactionDescription> txns = applicationTransactions(admin);
            assertTrue(txns.size() >= 2, "a transactional id per instance: " + txns);
            for (TransactionDescription d : txns.values()) {
                assertTrue(
                        d.state() == TransactionState.COMPLETE_COMMIT
                                || d.state() == TransactionState.COMPLETE_ABORT
                                || d.state() == TransactionState.EMPTY,
                        "no transaction left open: " + d);
            }
            assertStable(admin);
            log.info(
                    "{} records over {} words counted exactly once; {} output records read_committed; "
                            + "transactions {}; {} ms in all",
                    RECORDS,
                    expected.size(),
                    output.records(),
                    txns.values().stream().map(d -> d.state().toString()).toList(),
                    ms(t0, System.nanoTime()));
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Random random, String word) {
        byte[] key = ("k" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(INPUT, key, word.getBytes(StandardCharsets.UTF_8)));
    }

    /** The application's transactional ids (Streams names them application id - process id - thread). */
    private static Map<String, TransactionDescription> applicationTransactions(Admin admin) throws Exception {
        List<String> ids = admin.listTransactions().all().get().stream()
                .map(TransactionListing::transactionalId)
                .filter(id -> id.startsWith(APPLICATION_ID + "-"))
                .toList();
        return ids.isEmpty() ? Map.of() : admin.describeTransactions(ids).all().get();
    }

    /** The transaction a frozen instance has open: its records not yet committed, by partition. */
    private record OpenTransaction(String transactionalId, long producerId, Map<TopicPartition, Long> uncommitted) {}

    /**
     * Stops (SIGSTOP) the instance at moments when its transaction is ongoing and has records in the
     * logs, as the brokers tell it; resumes it (SIGCONT) and tries again when the moment was not one.
     * Streams' producer lingers (100 ms) after adding partitions to a transaction, so an ongoing
     * transaction often has nothing in the logs yet.
     */
    private static OpenTransaction freezeInOpenTransaction(Admin admin, StreamsApp app) throws Exception {
        Random pause = new Random(1);
        for (int attempt = 0; attempt < 100; attempt++) {
            Thread.sleep(20 + pause.nextInt(100));
            app.signal("-STOP");
            Thread.sleep(300); // what it had sent is handled; it sends nothing more
            List<Map.Entry<String, TransactionDescription>> ongoing = applicationTransactions(admin).entrySet().stream()
                    .filter(e -> e.getValue().state() == TransactionState.ONGOING)
                    .toList();
            if (ongoing.size() == 1) {
                String id = ongoing.get(0).getKey();
                TransactionDescription d = ongoing.get(0).getValue();
                Map<TopicPartition, Long> ends = new HashMap<>();
                admin.listOffsets(d.topicPartitions().stream()
                                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                        .all()
                        .get()
                        .forEach((tp, info) -> ends.put(tp, info.offset()));
                Map<TopicPartition, Long> uncommitted = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
                admin.describeProducers(d.topicPartitions())
                        .all()
                        .get()
                        .forEach((tp, producers) -> producers.activeProducers().stream()
                                .filter(p -> p.producerId() == d.producerId())
                                .forEach(p -> p.currentTransactionStartOffset()
                                        .ifPresent(start -> uncommitted.put(tp, ends.get(tp) - start))));
                if (!uncommitted.isEmpty()) {
                    return new OpenTransaction(id, d.producerId(), uncommitted);
                }
            }
            app.signal("-CONT");
        }
        throw new AssertionError("never found the application in a transaction with records in the logs");
    }

    /** No partition of the output or of the application's internal topics has an open transaction. */
    private static void assertStable(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var d : admin.describeTopics(admin.listTopics().names().get().stream()
                        .filter(t -> t.equals(OUTPUT) || t.startsWith(APPLICATION_ID))
                        .toList())
                .allTopicNames()
                .get()
                .values()) {
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        assertTrue(latest.keySet().stream().anyMatch(tp -> tp.topic().endsWith("-changelog")), latest.toString());
        assertTrue(latest.keySet().stream().anyMatch(tp -> tp.topic().endsWith("-repartition")), latest.toString());
        var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get();
        var end = admin.listOffsets(latest).all().get();
        for (TopicPartition tp : latest.keySet()) {
            assertEquals(end.get(tp).offset(), stable.get(tp).offset(), tp + ": the last stable offset is the end");
        }
    }

    private static long ms(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    /** The output topic read with read_committed from the beginning: every count per word, in order. */
    private static final class OutputReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> partitions = new ArrayList<>();
        private final Map<String, List<Long>> sequences = new TreeMap<>();
        private long records;

        OutputReader(StrandTestCluster cluster) {
            consumer = cluster.consumer(Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
            for (int p = 0; p < OUTPUT_PARTITIONS; p++) {
                partitions.add(new TopicPartition(OUTPUT, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                String word = new String(r.key(), StandardCharsets.UTF_8);
                sequences
                        .computeIfAbsent(word, w -> new ArrayList<>())
                        .add(ByteBuffer.wrap(r.value()).getLong());
                records++;
            }
        }

        /** Reads up to the read_committed end offsets as they are now. */
        void readToEnd() {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertTrue(System.currentTimeMillis() < deadline, "read the output to " + ends);
                poll();
            }
        }

        Map<String, List<Long>> sequences() {
            return sequences;
        }

        /** The last count read for each word. */
        Map<String, Long> last() {
            Map<String, Long> out = new TreeMap<>();
            sequences.forEach((w, counts) -> out.put(w, counts.get(counts.size() - 1)));
            return out;
        }

        long records() {
            return records;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** {@link StreamsCountMain} in a child JVM with the test's class path; its output in a file. */
    private static final class StreamsApp implements AutoCloseable {
        private final StrandTestCluster cluster;
        private final Path dir;
        private Process process;

        StreamsApp(StrandTestCluster cluster, Path dir) {
            this.cluster = cluster;
            this.dir = dir;
        }

        void start() throws IOException {
            Files.createDirectories(dir);
            List<String> cmd = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    StreamsCountMain.class.getName(),
                    cluster.bootstrapServers(),
                    APPLICATION_ID,
                    INPUT,
                    OUTPUT,
                    dir.resolve("state").toString());
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("out.log").toFile())
                    .start();
        }

        List<String> lines() {
            try {
                return Files.readAllLines(dir.resolve("out.log"));
            } catch (IOException e) {
                return List.of();
            }
        }

        /** The last "counted N" it printed (count updates sent to the output in this instance). */
        long counted() {
            List<String> lines = lines();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("counted ")) {
                    return Long.parseLong(lines.get(i).substring("counted ".length()));
                }
            }
            return 0;
        }

        void awaitLine(String what, Duration timeout, Predicate<String> line) throws InterruptedException {
            Wait.waitUntil(what, timeout, () -> {
                assertTrue(process.isAlive(), "the application exited: " + lines());
                return lines().stream().anyMatch(line);
            });
        }

        /** Changelog records it restored (the "restored N partition" lines). */
        long restored() {
            return lines().stream()
                    .filter(l -> l.startsWith("restored "))
                    .mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                    .sum();
        }

        /** kill -STOP (frozen: its sockets stay open, it does nothing) or kill -CONT. */
        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            assertEquals(0, kill.waitFor(), "kill " + signal);
        }

        /** kill -9. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }

        /** SIGTERM: Streams closes (its shutdown hook); then the process ends. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
