package io.strand.server.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.strand.server.group.assignor.TopicInfo;
import io.strand.server.security.RequestAuthorization;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;

/**
 * Resolves KIP-848 subscriptions to topics: topic names as given (those that exist), and regular
 * expressions (RE2/J syntax, as Kafka's coordinator) matched against every topic but the internal ones,
 * so that a topic created later joins the subscription at a heartbeat a second or less later. The
 * topics are looked at once a second at most, and compiled expressions and their matches are cached.
 *
 * <p>With an authorizer, a regular expression matches only the topics the member's principal may
 * DESCRIBE (as Kafka's coordinator filters them; allowed decisions logged, denials not), decided with
 * the request context of the member's last heartbeat here and cached with the matches. A member not
 * yet heard from since this coordinator loaded the group (after a failover) keeps its unfiltered
 * matches until its next heartbeat.
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
    private final RequestAuthorization auth;
    private final Map<String, Pattern> patterns = new HashMap<>();
    private Map<String, TopicInfo> snapshot;
    private long snapshotAtNanos;
    /** Per regular expression, the topics of {@link #snapshot} it matches. */
    private final Map<String, List<TopicInfo>> matches = new HashMap<>();
    /** Per regular expression and requester (principal and address), the matches it may describe. */
    private final Map<List<Object>, List<TopicInfo>> describable = new HashMap<>();

    SubscribedTopics(Source source, RequestAuthorization auth) {
        this.source = source;
        this.auth = auth;
    }

    Source source() {
        return source;
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

        /** Who asked for the subscription, for the authorizer; null if unknown. */
        default AuthorizableRequestContext requester() {
            return null;
        }
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
            if (auth.enabled() && m.requester() != null) {
                AuthorizableRequestContext who = m.requester();
                List<TopicInfo> all0 = matched;
                matched = all == snapshot
                        ? describable.computeIfAbsent(
                                List.of(m.topicRegex(), who.principal(), String.valueOf(who.clientAddress())),
                                k -> mayDescribe(who, all0))
                        : mayDescribe(who, all0);
            }
            matched.forEach(t -> out.put(t.name(), t));
        }
        return out;
    }

    /** The topics among {@code matched} that {@code requester} may DESCRIBE, in one authorizer call. */
    private List<TopicInfo> mayDescribe(AuthorizableRequestContext requester, List<TopicInfo> matched) {
        Predicate<String> allowed = auth.allowedNames(
                requester, AclOperation.DESCRIBE, ResourceType.TOPIC, matched, TopicInfo::name, false);
        return matched.stream().filter(t -> allowed.test(t.name())).toList();
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
            describable.clear();
        }
        return snapshot;
    }
}
