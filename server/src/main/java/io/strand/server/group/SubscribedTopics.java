package io.strand.server.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.strand.server.group.assignor.TopicInfo;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.internals.Topic;

/**
 * Resolves KIP-848 subscriptions to topics: topic names as given (those that exist), and regular
 * expressions (RE2/J syntax, as Kafka's coordinator) matched against every topic but the internal ones,
 * so that a topic created later joins the subscription at a heartbeat a second or less later. The
 * topics are looked at once a second at most, and compiled expressions and their matches are cached.
 *
 * <p>Not thread-safe: one per shard, used on its executor.
 */
final class SubscribedTopics {
    /** The topics that exist now, by name. */
    @FunctionalInterface
    interface Source {
        Map<String, TopicInfo> topics();
    }

    /** How long a snapshot of the topics serves heartbeats before it is taken again. */
    private static final long SNAPSHOT_MAX_AGE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final Source source;
    private final Map<String, Pattern> patterns = new HashMap<>();
    private Map<String, TopicInfo> snapshot;
    private long snapshotAtNanos;
    /** Per regular expression, the topics of {@link #snapshot} it matches. */
    private final Map<String, List<TopicInfo>> matches = new HashMap<>();

    SubscribedTopics(Source source) {
        this.source = source;
    }

    /** Null if {@code regex} is a valid RE2/J expression, else why not. */
    static String invalidRegex(String regex) {
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            return e.getMessage();
        }
    }

    /** A member's subscription: topic names, and a regular expression or null. */
    interface Subscriber {
        List<String> topicNames();

        String topicRegex();
    }

    /** Every topic the members subscribe to, by name (sorted). */
    Map<String, TopicInfo> resolve(Collection<? extends Subscriber> members) {
        Map<String, TopicInfo> all = null;
        Map<String, TopicInfo> out = new TreeMap<>();
        for (Subscriber m : members) {
            if (m.topicNames().isEmpty() && m.topicRegex() == null) {
                continue;
            }
            if (all == null) {
                all = topicsNow();
            }
            out.putAll(of(m, all));
        }
        return out;
    }

    /** The topics {@code m} subscribes to among {@code all}. */
    Map<String, TopicInfo> of(Subscriber m, Map<String, TopicInfo> all) {
        Map<String, TopicInfo> out = new LinkedHashMap<>();
        for (String name : m.topicNames()) {
            TopicInfo t = all.get(name);
            if (t != null) {
                out.put(name, t);
            }
        }
        if (m.topicRegex() != null) {
            List<TopicInfo> matched = all == snapshot
                    ? matches.computeIfAbsent(m.topicRegex(), r -> match(r, snapshot))
                    : match(m.topicRegex(), all);
            matched.forEach(t -> out.put(t.name(), t));
        }
        return out;
    }

    private List<TopicInfo> match(String regex, Map<String, TopicInfo> all) {
        if (patterns.size() > 10_000) {
            patterns.clear();
        }
        Pattern p = patterns.computeIfAbsent(regex, Pattern::compile);
        List<TopicInfo> out = new java.util.ArrayList<>();
        for (TopicInfo t : all.values()) {
            if (!Topic.isInternal(t.name()) && p.matches(t.name())) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * The topics that exist, as of at most a second ago: heartbeats of many members then cost one
     * look at the metadata, and one match per regular expression, per second.
     */
    private Map<String, TopicInfo> topicsNow() {
        long now = System.nanoTime();
        if (snapshot == null || now - snapshotAtNanos > SNAPSHOT_MAX_AGE_NANOS) {
            snapshot = source.topics();
            snapshotAtNanos = now;
            matches.clear();
        }
        return snapshot;
    }
}
