package io.strand.server.share;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Share state kept in this JVM with the share coordinator's own merge and fencing rules, for the
 * share-partition tests on a bare log (no broker, so no {@code __share_group_state}). The brokers'
 * persistence is tested end to end in {@code SharePersistenceTest}.
 */
final class MemoryPersister implements Persister {
    final Map<ShareRecords.Key, ShareState> states = new ConcurrentHashMap<>();
    volatile int writes;

    @Override
    public synchronized CompletableFuture<ReadResult> read(
            String groupId, Uuid topicId, int partition, int leaderEpoch) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        ShareState s = states.get(key);
        if (s == null) {
            return CompletableFuture.completedFuture(new ReadResult(Errors.NONE, ShareState.uninitialized()));
        }
        if (leaderEpoch < s.leaderEpoch()) {
            return CompletableFuture.completedFuture(new ReadResult(Errors.FENCED_LEADER_EPOCH, null));
        }
        if (leaderEpoch > s.leaderEpoch()) { // as the coordinator: the newer leader's epoch is kept
            s = new ShareState(s.stateEpoch(), leaderEpoch, s.startOffset(), s.deliveryCompleteCount(), s.batches());
            states.put(key, s);
        }
        return CompletableFuture.completedFuture(new ReadResult(Errors.NONE, s));
    }

    @Override
    public synchronized CompletableFuture<Errors> write(String groupId, Uuid topicId, int partition, ShareState state) {
        ShareRecords.Key key = new ShareRecords.Key(groupId, topicId, partition);
        ShareState stored = states.get(key);
        if (stored != null
                && (state.stateEpoch() < stored.stateEpoch() || state.leaderEpoch() < stored.leaderEpoch())) {
            return CompletableFuture.completedFuture(
                    state.stateEpoch() < stored.stateEpoch() ? Errors.FENCED_STATE_EPOCH : Errors.FENCED_LEADER_EPOCH);
        }
        states.put(key, ShareStateShard.merge(stored, state));
        writes++;
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    @Override
    public CompletableFuture<Errors> initialize(
            String groupId, Uuid topicId, int partition, int stateEpoch, long startOffset) {
        states.put(
                new ShareRecords.Key(groupId, topicId, partition),
                new ShareState(stateEpoch, -1, startOffset, 0, java.util.List.of()));
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    @Override
    public CompletableFuture<Errors> delete(String groupId, Uuid topicId, int partition) {
        states.remove(new ShareRecords.Key(groupId, topicId, partition));
        return CompletableFuture.completedFuture(Errors.NONE);
    }

    @Override
    public CompletableFuture<Summary> readSummary(String groupId, Uuid topicId, int partition, int leaderEpoch) {
        ShareState s = states.get(new ShareRecords.Key(groupId, topicId, partition));
        return CompletableFuture.completedFuture(
                s == null
                        ? new Summary(Errors.NONE, 0, -1, -1, -1)
                        : new Summary(
                                Errors.NONE,
                                s.stateEpoch(),
                                s.leaderEpoch(),
                                s.startOffset(),
                                s.deliveryCompleteCount()));
    }
}
