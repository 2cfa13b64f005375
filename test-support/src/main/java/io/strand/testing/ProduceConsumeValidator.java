package io.strand.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The produce–consume–validate helper, the core check of every fault test: it records what was
 * sent and acknowledged (per key, in send order) and what was consumed, and reports each way a
 * delivery can go wrong, with one assertion per concept:
 *
 * <ul>
 *   <li>{@link #assertNoneLost()}: every acknowledged record was consumed;
 *   <li>{@link #assertNoDuplicates()}: no record was consumed twice;
 *   <li>{@link #assertInOrderPerKey()}: per key, records were first consumed in the order they were
 *       sent;
 *   <li>{@link #assertNothingUnexpected()}: nothing was consumed that was never sent;
 *   <li>{@link #assertOnlyRetriableSendFailures()}: sends that failed failed only in ways a
 *       producer may see during a fault;
 *   <li>{@link #assertLatestPerKey()}: for a compacted topic, where cleaning removes all but the latest
 *       record of each key (so {@link #assertNoneLost()} does not apply), the last record consumed per
 *       key is the last one acknowledged.
 * </ul>
 *
 * <p>A record is a (key, value) pair of strings; a value is unique within its key. The key is the
 * ordering domain: a test that checks order sends each key to one partition (e.g. key "p2" to
 * partition 2). {@link #send} and {@link #consumed(ConsumerRecord)} speak Kafka's client types (key
 * and value as UTF-8; a null record key is the key ""); tests whose records pass through something
 * else (a consumer in a child JVM, kcat) call {@link #acknowledged(String, String)} and {@link
 * #consumed(String, String)} themselves.
 *
 * <p>Threading: thread-safe; one lock (this object's monitor) guards all state, so producer
 * callbacks (the client's I/O thread), consumer threads and the test thread may call it at once.
 */
public final class ProduceConsumeValidator {
    /** The key of a record sent or consumed without one. */
    public static final String NO_KEY = "";

    private static final int EXAMPLES = 10;

    /** One record: its key (the ordering domain) and its value, unique within the key. */
    public record Entry(String key, String value) {
        @Override
        public String toString() {
            return key.isEmpty() ? value : key + "/" + value;
        }
    }

    /** A send that was not acknowledged, with the producer's error. */
    public record SendFailure(Entry entry, Exception error) {}

    // per key: value -> position in send order
    private final Map<String, Map<String, Integer>> sent = new LinkedHashMap<>();
    private final Map<String, Set<String>> acknowledged = new LinkedHashMap<>();
    private final Map<String, List<String>> consumed = new LinkedHashMap<>();
    private final List<SendFailure> failures = new ArrayList<>();
    private long acknowledgedCount;
    private long consumedCount;

    /**
     * A validator that knows this one's sends, acknowledgements and failures but nothing consumed:
     * for checking a second reader of the same records (e.g. the same topic read through each
     * broker).
     */
    public synchronized ProduceConsumeValidator forAnotherReader() {
        ProduceConsumeValidator copy = new ProduceConsumeValidator();
        sent.forEach((k, v) -> copy.sent.put(k, new LinkedHashMap<>(v)));
        acknowledged.forEach((k, v) -> copy.acknowledged.put(k, new java.util.LinkedHashSet<>(v)));
        copy.failures.addAll(failures);
        copy.acknowledgedCount = acknowledgedCount;
        return copy;
    }

    // ------------------------------------------------------------------------------ recording

    /** Records that {@code value} was sent under {@code key}, after every earlier send of that key. */
    public synchronized void sent(String key, String value) {
        Map<String, Integer> values = sent.computeIfAbsent(key, k -> new LinkedHashMap<>());
        if (values.putIfAbsent(value, values.size()) != null) {
            throw new IllegalArgumentException("value " + value + " sent twice under key '" + key + "'");
        }
    }

    /** Records an acknowledgement; a record not yet {@link #sent} counts as sent now. */
    public synchronized void acknowledged(String key, String value) {
        Map<String, Integer> values = sent.computeIfAbsent(key, k -> new LinkedHashMap<>());
        values.putIfAbsent(value, values.size());
        if (acknowledged
                .computeIfAbsent(key, k -> new java.util.LinkedHashSet<>())
                .add(value)) {
            acknowledgedCount++;
        }
    }

    /** Records a send that failed (never acknowledged): it may or may not be in the log. */
    public synchronized void failed(String key, String value, Exception error) {
        failures.add(new SendFailure(new Entry(key, value), error));
    }

    /** Records one consumption of {@code value} under {@code key}, after every earlier one of that key. */
    public synchronized void consumed(String key, String value) {
        consumed.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        consumedCount++;
    }

    /** Records a consumed record, key and value read as UTF-8. */
    public void consumed(ConsumerRecord<byte[], byte[]> record) {
        consumed(keyOf(record.key()), new String(record.value(), StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code value} under {@code key} (both UTF-8) to {@code topic} ({@code partition} or,
     * when null, the producer's choice), recording the send now and its outcome when the producer
     * reports it.
     */
    public Future<RecordMetadata> send(
            Producer<byte[], byte[]> producer, String topic, Integer partition, String key, String value) {
        sent(key, value);
        byte[] keyBytes = key.equals(NO_KEY) ? null : key.getBytes(StandardCharsets.UTF_8);
        return producer.send(
                new ProducerRecord<>(topic, partition, keyBytes, value.getBytes(StandardCharsets.UTF_8)),
                (metadata, error) -> {
                    if (error == null) {
                        acknowledged(key, value);
                    } else {
                        failed(key, value, error);
                    }
                });
    }

    /** {@link #consumeToEnd(Consumer, Collection, Duration)} over partitions 0 to {@code partitions - 1} of {@code topic}. */
    public long consumeToEnd(Consumer<byte[], byte[]> consumer, String topic, int partitions, Duration timeout)
            throws InterruptedException {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return consumeToEnd(consumer, all, timeout);
    }

    /**
     * Reads {@code partitions} from their beginning to the end offsets they have now, recording
     * every record; fails if that takes longer than {@code timeout}. Returns the number of records
     * read.
     */
    public long consumeToEnd(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions, Duration timeout)
            throws InterruptedException {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long[] read = {0};
        Wait.waitUntil(
                "every record of " + partitions + " up to the end offsets " + end + " is read",
                timeout,
                () -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        consumed(r);
                        read[0]++;
                    }
                    return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                },
                () -> "positions " + partitions.stream().collect(Collectors.toMap(tp -> tp, consumer::position)));
        return read[0];
    }

    private static String keyOf(byte[] key) {
        return key == null ? NO_KEY : new String(key, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------ what happened

    public synchronized long acknowledgedCount() {
        return acknowledgedCount;
    }

    public synchronized long consumedCount() {
        return consumedCount;
    }

    public synchronized List<SendFailure> sendFailures() {
        return List.copyOf(failures);
    }

    /** Acknowledged records never consumed, per key in acknowledgement order. */
    public synchronized List<Entry> lost() {
        List<Entry> out = new ArrayList<>();
        acknowledged.forEach((key, values) -> {
            Set<String> got = new HashSet<>(consumed.getOrDefault(key, List.of()));
            for (String v : values) {
                if (!got.contains(v)) {
                    out.add(new Entry(key, v));
                }
            }
        });
        return out;
    }

    /** Records consumed more than once, with how often. */
    public synchronized Map<Entry, Integer> duplicated() {
        Map<Entry, Integer> out = new LinkedHashMap<>();
        consumed.forEach((key, values) -> {
            Map<String, Integer> counts = new LinkedHashMap<>();
            values.forEach(v -> counts.merge(v, 1, Integer::sum));
            counts.forEach((v, n) -> {
                if (n > 1) {
                    out.put(new Entry(key, v), n);
                }
            });
        });
        return out;
    }

    /**
     * Per key, the first place where consumption (first occurrences of sent records) goes back in
     * send order, described with its neighbourhood; empty when every key is in order.
     */
    public synchronized Map<String, String> outOfOrder() {
        Map<String, String> out = new TreeMap<>();
        consumed.forEach((key, values) -> {
            Map<String, Integer> order = sent.getOrDefault(key, Map.of());
            List<String> firsts =
                    values.stream().distinct().filter(order::containsKey).toList();
            for (int i = 1; i < firsts.size(); i++) {
                if (order.get(firsts.get(i)) < order.get(firsts.get(i - 1))) {
                    out.put(
                            key,
                            "at position " + i + " of " + firsts.size() + ": "
                                    + firsts.subList(Math.max(0, i - 5), Math.min(firsts.size(), i + 5)));
                    break;
                }
            }
        });
        return out;
    }

    /**
     * Keys whose last consumed record is older, in send order, than their last acknowledged one (or
     * that were never consumed at all), each with what was acknowledged last and consumed last. A
     * record sent after the last acknowledged one whose send failed may be in the log, so it may be
     * the last consumed.
     */
    public synchronized Map<String, String> notLatest() {
        Map<String, String> out = new TreeMap<>();
        acknowledged.forEach((key, values) -> {
            Map<String, Integer> order = sent.get(key);
            String lastAcked =
                    values.stream().max(Comparator.comparing(order::get)).orElseThrow();
            List<String> got = consumed.getOrDefault(key, List.of());
            String lastConsumed = got.isEmpty() ? null : got.get(got.size() - 1);
            Integer at = lastConsumed == null ? null : order.get(lastConsumed);
            if (at == null || at < order.get(lastAcked)) {
                out.put(key, "acknowledged last " + lastAcked + ", consumed last " + lastConsumed);
            }
        });
        return out;
    }

    /** Records consumed that were never sent. */
    public synchronized List<Entry> unexpected() {
        List<Entry> out = new ArrayList<>();
        consumed.forEach((key, values) -> {
            Map<String, Integer> order = sent.getOrDefault(key, Map.of());
            values.stream().distinct().filter(v -> !order.containsKey(v)).forEach(v -> out.add(new Entry(key, v)));
        });
        return out;
    }

    /** One line for the test's log: how much was sent, acknowledged, failed and consumed. */
    public synchronized String summary() {
        long sentCount = sent.values().stream().mapToLong(Map::size).sum();
        long distinct = consumed.values().stream()
                .mapToLong(v -> new HashSet<>(v).size())
                .sum();
        return sentCount + " sent, " + acknowledgedCount + " acknowledged, " + failures.size() + " sends failed, "
                + consumedCount + " consumed (" + distinct + " distinct)";
    }

    // ------------------------------------------------------------------------------ assertions

    /**
     * What an idempotent acks=all producer promises: every acknowledged record consumed, none
     * twice, in send order per key, nothing that was never sent.
     */
    public void assertEveryAcknowledgedRecordOnceInOrder() {
        assertNoneLost();
        assertInOrderPerKey();
        assertNoDuplicates();
        assertNothingUnexpected();
    }

    /** Every acknowledged record was consumed at least once. */
    public void assertNoneLost() {
        List<Entry> lost = lost();
        if (!lost.isEmpty()) {
            throw new AssertionError(lost.size() + " acknowledged records were never consumed, e.g. " + examples(lost)
                    + " (" + summary() + ")");
        }
    }

    /** No record was consumed more than once. */
    public void assertNoDuplicates() {
        assertNoDuplicatesExcept("", e -> false);
    }

    /**
     * No record was consumed more than once, except those {@code excused} (e.g. what a consumer that
     * was killed had read but not committed); {@code why} says what the excuse is.
     */
    public void assertNoDuplicatesExcept(String why, Predicate<Entry> excused) {
        Map<Entry, Integer> duplicated = new LinkedHashMap<>(duplicated());
        duplicated.keySet().removeIf(excused);
        if (!duplicated.isEmpty()) {
            throw new AssertionError(duplicated.size() + " records were consumed more than once"
                    + (why.isEmpty() ? "" : " (" + why + " excused)") + ", e.g. "
                    + examples(new ArrayList<>(duplicated.entrySet())) + " (" + summary() + ")");
        }
    }

    /** Per key, the records were first consumed in the order they were sent. */
    public void assertInOrderPerKey() {
        Map<String, String> disorder = outOfOrder();
        if (!disorder.isEmpty()) {
            throw new AssertionError("records consumed out of send order: " + disorder + " (" + summary() + ")");
        }
    }

    /** Nothing was consumed that was never sent. */
    public void assertNothingUnexpected() {
        List<Entry> unexpected = unexpected();
        if (!unexpected.isEmpty()) {
            throw new AssertionError(unexpected.size() + " records consumed that were never sent, e.g. "
                    + examples(unexpected) + " (" + summary() + ")");
        }
    }

    /**
     * Every failed send failed with a {@link RetriableException} (a timeout, a leader that moved,
     * too few in-sync replicas for a while): what a producer may see during a fault, never a
     * refusal of the record itself.
     */
    public void assertOnlyRetriableSendFailures() {
        List<SendFailure> bad = sendFailures().stream()
                .filter(f -> !(f.error() instanceof RetriableException))
                .toList();
        if (!bad.isEmpty()) {
            AssertionError e =
                    new AssertionError(bad.size() + " sends failed with non-retriable errors, e.g. " + examples(bad));
            e.initCause(bad.get(0).error());
            throw e;
        }
    }

    /**
     * What a reader of a whole compacted topic may rely on: per key, the last record consumed is the
     * last one acknowledged (or one sent after it whose outcome the producer did not learn). Records
     * the cleaner removed are not lost; combine with {@link #assertNoDuplicates()}, {@link
     * #assertInOrderPerKey()} and {@link #assertNothingUnexpected()}, which hold for compacted topics
     * as they do for others.
     */
    public void assertLatestPerKey() {
        Map<String, String> stale = notLatest();
        if (!stale.isEmpty()) {
            throw new AssertionError(stale.size() + " keys do not end with their latest acknowledged record, e.g. "
                    + examples(new ArrayList<>(stale.entrySet())) + " (" + summary() + ")");
        }
    }

    /** No send failed. */
    public void assertNoSendFailures() {
        List<SendFailure> all = sendFailures();
        if (!all.isEmpty()) {
            AssertionError e = new AssertionError(all.size() + " sends failed, e.g. " + examples(all));
            e.initCause(all.get(0).error());
            throw e;
        }
    }

    private static String examples(List<?> items) {
        return items.subList(0, Math.min(EXAMPLES, items.size())).toString();
    }
}
