package io.strand.server.share;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareRequestMetadata;

/**
 * Share sessions (Kafka's ShareSessionCache): per (group, member) the partitions the member fetches
 * from this broker and the session epoch the next request must carry. Epoch 0 opens a session
 * (replacing an existing one), -1 closes it, any other epoch must equal the session's and advances it;
 * a ShareFetch adds partitions and forgets others incrementally. At most
 * {@code group.share.max.share.sessions}: a new one beyond evicts the least recently used if that was
 * unused for a record-lock duration, else it is refused with SHARE_SESSION_LIMIT_REACHED (Kafka's
 * error; Kafka removes a member's sessions when it leaves the group).
 *
 * <p>Thread-safe (synchronized).
 */
public final class ShareSessions {
    /** A partition of a session, by topic id (a topic may be unknown to the metadata). */
    public record SessionPartition(Uuid topicId, int partition) {}

    /** The outcome of a ShareFetch's session step: an error, or the partitions to fetch from. */
    public record Context(Errors error, boolean full, boolean closing, List<SessionPartition> partitions) {
        static Context error(Errors e) {
            return new Context(e, false, false, List.of());
        }
    }

    private record Key(String groupId, String memberId) {}

    private static final class Session {
        int epoch;
        long lastUsedMs;
        final LinkedHashSet<SessionPartition> partitions = new LinkedHashSet<>();
    }

    private final int maxSessions;
    private final long idleEvictionMs;
    private final java.util.function.LongSupplier clock;
    private final BiConsumer<String, String> onClosed;
    private final LinkedHashMap<Key, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param idleEvictionMs how long a session must have been unused before a new one may evict it (its
     *     records' locks have expired by then)
     * @param onClosed told (group, member) when a session is evicted, outside this object's lock
     */
    public ShareSessions(int maxSessions, long idleEvictionMs, BiConsumer<String, String> onClosed) {
        this(maxSessions, idleEvictionMs, onClosed, System::currentTimeMillis);
    }

    /** As above, on {@code clock} (milliseconds). */
    ShareSessions(
            int maxSessions,
            long idleEvictionMs,
            BiConsumer<String, String> onClosed,
            java.util.function.LongSupplier clock) {
        this.maxSessions = maxSessions;
        this.idleEvictionMs = idleEvictionMs;
        this.onClosed = onClosed;
        this.clock = clock;
    }

    /** The session step of a ShareFetch. */
    public Context fetch(
            String groupId,
            String memberId,
            int epoch,
            Collection<SessionPartition> add,
            Collection<SessionPartition> forget,
            boolean hasAcknowledgements) {
        Key key = new Key(groupId, memberId);
        Key evicted = null;
        Context result;
        synchronized (this) {
            if (epoch == ShareRequestMetadata.INITIAL_EPOCH) {
                if (hasAcknowledgements) {
                    return Context.error(Errors.INVALID_REQUEST);
                }
                sessions.remove(key);
                Session s = new Session();
                s.lastUsedMs = clock.getAsLong();
                s.epoch = ShareRequestMetadata.nextEpoch(epoch);
                s.partitions.addAll(add);
                if (sessions.size() >= maxSessions) {
                    Map.Entry<Key, Session> oldest =
                            sessions.entrySet().iterator().next();
                    if (clock.getAsLong() - oldest.getValue().lastUsedMs < idleEvictionMs) {
                        return Context.error(Errors.SHARE_SESSION_LIMIT_REACHED);
                    }
                    evicted = oldest.getKey();
                    sessions.remove(evicted);
                }
                sessions.put(key, s);
                result = new Context(Errors.NONE, true, false, List.copyOf(s.partitions));
            } else if (epoch == ShareRequestMetadata.FINAL_EPOCH) {
                if (!add.isEmpty()) {
                    return Context.error(Errors.INVALID_REQUEST);
                }
                Session s = sessions.get(key);
                if (s == null) {
                    return Context.error(Errors.SHARE_SESSION_NOT_FOUND);
                }
                result = new Context(Errors.NONE, false, true, List.copyOf(s.partitions)); // closed by close()
            } else {
                Session s = sessions.get(key);
                if (s == null) {
                    return Context.error(Errors.SHARE_SESSION_NOT_FOUND);
                }
                if (s.epoch != epoch) {
                    return Context.error(Errors.INVALID_SHARE_SESSION_EPOCH);
                }
                s.partitions.addAll(add);
                forget.forEach(s.partitions::remove);
                s.lastUsedMs = clock.getAsLong();
                s.epoch = ShareRequestMetadata.nextEpoch(epoch);
                result = new Context(Errors.NONE, false, false, List.copyOf(s.partitions));
            }
        }
        if (evicted != null) {
            onClosed.accept(evicted.groupId(), evicted.memberId());
        }
        return result;
    }

    /**
     * The session step of a ShareAcknowledge: NONE, or the error that answers the whole request. The final
     * epoch (-1) leaves the session for {@link #close} once the acknowledgements are applied.
     */
    public Errors acknowledge(String groupId, String memberId, int epoch) {
        Key key = new Key(groupId, memberId);
        synchronized (this) {
            if (epoch == ShareRequestMetadata.INITIAL_EPOCH) {
                return Errors.INVALID_SHARE_SESSION_EPOCH;
            }
            Session s = sessions.get(key);
            if (s == null) {
                return Errors.SHARE_SESSION_NOT_FOUND;
            }
            if (epoch == ShareRequestMetadata.FINAL_EPOCH) {
                return Errors.NONE;
            }
            if (s.epoch != epoch) {
                return Errors.INVALID_SHARE_SESSION_EPOCH;
            }
            s.epoch = ShareRequestMetadata.nextEpoch(epoch);
            s.lastUsedMs = clock.getAsLong();
            return Errors.NONE;
        }
    }

    /** Closes the member's session (final epoch); true if it existed. The caller releases the member's records. */
    public boolean close(String groupId, String memberId) {
        synchronized (this) {
            return sessions.remove(new Key(groupId, memberId)) != null;
        }
    }

    public synchronized int size() {
        return sessions.size();
    }
}
