package io.strand.coordinator;

import io.strand.coordinator.proto.PartitionState;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.TopicPartition;

/**
 * The partition leader's way to shrink or expand its ISR: a compare-and-set on the partition's
 * state znode that only succeeds while the znode still names this broker as leader at the leader
 * epoch it leads. If the controller or anyone else wrote the state in between, the change is
 * decided again on the fresh state; if the leader or epoch moved, the caller is told it is fenced
 * and must stop acting as leader.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class IsrUpdater {
    /** The outcome of an ISR change. */
    public record Result(boolean fenced, PartitionState state, int version) {}

    private final MetadataStore store;

    public IsrUpdater(MetadataStore store) {
        this.store = store;
    }

    /**
     * Applies {@code change} to the ISR of {@code tp} as leader {@code leaderId} at {@code leaderEpoch}.
     * An unchanged ISR writes nothing.
     */
    public Result update(TopicPartition tp, int leaderId, int leaderEpoch, UnaryOperator<List<Integer>> change) {
        String path = Znodes.partitionState(tp);
        Optional<Versioned<PartitionState>> after = store.update(path, PartitionState.parser(), current -> {
            if (current.getLeader() != leaderId || current.getLeaderEpoch() != leaderEpoch) {
                return Optional.empty();
            }
            List<Integer> isr = change.apply(current.getIsrList());
            if (isr.equals(current.getIsrList())) {
                return Optional.empty();
            }
            return Optional.of(current.toBuilder()
                    .clearIsr()
                    .addAllIsr(isr)
                    .setPartitionEpoch(current.getPartitionEpoch() + 1)
                    .build());
        });
        if (after.isEmpty()) {
            return new Result(true, null, -1);
        }
        PartitionState s = after.get().value();
        boolean fenced = s.getLeader() != leaderId || s.getLeaderEpoch() != leaderEpoch;
        return new Result(fenced, s, after.get().version());
    }
}
