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
 * so that a topic created later joins the subscription at the next heartbeat. Compiled expressions are
 * cached.
 *
 * <p>Not thread-safe: one per shard, used on its executor.
 */
final class SubscribedTopics {
    /** The topics that exist now, by name. */
    @FunctionalInterface
    interface Source {
        Map<String, TopicInfo> topics();
    }

    private final Source source;
    private final Map<String, Pattern> patterns = new HashMap<>();

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
                all = source.topics();
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
            Pattern p = patterns.computeIfAbsent(m.topicRegex(), Pattern::compile);
            for (TopicInfo t : all.values()) {
                if (!Topic.isInternal(t.name()) && p.matches(t.name())) {
                    out.put(t.name(), t);
                }
            }
        }
        return out;
    }
}
