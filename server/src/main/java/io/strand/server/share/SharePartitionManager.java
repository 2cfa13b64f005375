package io.strand.server.share;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.strand.server.replica.LeadershipListener;
import io.strand.server.replica.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share partitions of this broker (Kafka's SharePartitionManager): one {@link SharePartition} per
 * (group, topic partition) this broker leads and some member fetched, created on first use and
 * initialised from the {@link Persister}. A partition's share state is dropped when this broker stops
 * leading it (the next leader reads what was persisted) and when its leader epoch changes (it is read
 * again); also when a state write is fenced (an offset reset or a newer leader owns it), and when a
 * member opens a new share session while nothing of the partition is acquired (so an offset reset
 * done while the group was empty is seen). Also holds the share sessions.
 *
 * <p>Thread-safe.
 */
public final class SharePartitionManager implements LeadershipListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharePartitionManager.class);

    private record Key(String groupId, TopicPartition tp) {}

    private final ShareConfig config;
    private final Persister persister;
    private final ScheduledExecutorService timer;
    private final ShareMetrics metrics;
    private final ShareSessions sessions;
    private final Map<Key, CompletableFuture<SharePartition>> partitions = new ConcurrentHashMap<>();

    public SharePartitionManager(
            ShareConfig config, Persister persister, ScheduledExecutorService timer, MetricRegistry registry) {
        this.config = config;
        this.persister = persister;
        this.timer = timer;
        this.metrics = new ShareMetrics(registry);
        this.sessions = new ShareSessions(
                config.maxShareSessions(), config.recordLockDurationMs(), (g, m) -> releaseMember(g, m));
        registry.register("share.partitions-loaded", (Gauge<Long>) () -> partitions.values().stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .count());
        registry.register("share.sessions", (Gauge<Integer>) sessions::size);
    }

    public ShareConfig config() {
        return config;
    }

    public ShareSessions sessions() {
        return sessions;
    }

    public ShareMetrics metrics() {
        return metrics;
    }

    public Persister persister() {
        return persister;
    }

    /** Thrown through a failed future when a share partition could not be initialised. */
    public static final class InitFailed extends RuntimeException {
        public final Errors error;

        InitFailed(Errors error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    /**
     * The share partition of {@code groupId} on {@code leader} (this broker's leader replica), initialised;
     * fails with {@link InitFailed} if its state cannot be read.
     */
    public CompletableFuture<SharePartition> get(String groupId, Partition leader) {
        Key key = new Key(groupId, leader.topicPartition());
        int epoch = leader.leaderEpoch();
        while (true) {
            CompletableFuture<SharePartition> existing = partitions.get(key);
            if (existing != null) {
                SharePartition sp = existing.getNow(null);
                if (sp == null || (sp.leaderEpoch == epoch && !sp.fenced())) {
                    return existing;
                }
                if (partitions.remove(key, existing)) { // an older leader epoch or fenced: read it again
                    sp.close();
                }
                continue;
            }
            CompletableFuture<SharePartition> mine = new CompletableFuture<>();
            if (partitions.putIfAbsent(key, mine) != null) {
                continue;
            }
            SharePartition sp = new SharePartition(
                    groupId,
                    leader.topicId(),
                    leader.topicPartition(),
                    epoch,
                    ShareLog.of(leader),
                    config,
                    persister,
                    timer,
                    metrics);
            sp.onFenced(() -> partitions.remove(key, mine));
            sp.initialize().whenComplete((error, t) -> {
                Errors e = t != null ? Errors.forException(t) : error;
                if (e == Errors.NONE) {
                    mine.complete(sp);
                } else {
                    partitions.remove(key, mine);
                    mine.completeExceptionally(new InitFailed(e));
                }
            });
            return mine;
        }
    }

    /** The loaded share partition, if any (no loading). */
    public SharePartition loaded(String groupId, TopicPartition tp) {
        CompletableFuture<SharePartition> f = partitions.get(new Key(groupId, tp));
        return f == null ? null : f.getNow(null);
    }

    /** A member opened a new session on {@code tp}: drop an idle state so that it is read again. */
    public void refreshIfIdle(String groupId, TopicPartition tp) {
        Key key = new Key(groupId, tp);
        CompletableFuture<SharePartition> f = partitions.get(key);
        SharePartition sp = f == null ? null : f.getNow(null);
        if (sp != null && sp.idle() && partitions.remove(key, f)) {
            sp.close();
        }
    }

    /** Drops the state of {@code groupId} on {@code tp} (its offsets were reset or deleted). */
    public void invalidate(String groupId, TopicPartition tp) {
        CompletableFuture<SharePartition> f = partitions.remove(new Key(groupId, tp));
        if (f != null) {
            f.thenAccept(SharePartition::close);
            log.info("Share group {} {}: state dropped (offsets reset or deleted)", groupId, tp);
        }
    }

    /**
     * The member left (session closed or evicted; the group coordinator calls this when a member leaves or
     * is fenced): the records it holds on this broker go back.
     */
    public CompletableFuture<Void> releaseMember(String groupId, String memberId) {
        List<CompletableFuture<Errors>> writes = new ArrayList<>();
        partitions.forEach((k, f) -> {
            SharePartition sp = f.getNow(null);
            if (k.groupId().equals(groupId) && sp != null) {
                writes.add(sp.releaseMember(memberId));
            }
        });
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** Closes the member's share session (final epoch) and releases its records; completes once that is persisted. */
    public CompletableFuture<Void> closeSession(String groupId, String memberId) {
        sessions.close(groupId, memberId);
        return releaseMember(groupId, memberId);
    }

    @Override
    public void onBecomeLeader(Partition partition, int leaderEpoch) {
        drop(partition.topicPartition(), "leader epoch " + leaderEpoch);
    }

    @Override
    public void onLeadershipLost(TopicPartition tp) {
        drop(tp, "leadership lost");
    }

    private void drop(TopicPartition tp, String reason) {
        partitions.entrySet().removeIf(e -> {
            if (!e.getKey().tp().equals(tp)) {
                return false;
            }
            log.info("Share group {} {}: share state dropped ({})", e.getKey().groupId(), tp, reason);
            e.getValue().thenAccept(SharePartition::close);
            return true;
        });
    }

    @Override
    public void close() {
        partitions.values().forEach(f -> f.thenAccept(SharePartition::close));
        partitions.clear();
    }
}
