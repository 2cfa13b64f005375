package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the controller's partition-state decisions in batches: each batch is one {@code multi}
 * that first checks the {@code /controller_epoch} version this controller claimed, then sets every
 * state znode with the version the decision was based on. A batch that loses a race on a state
 * znode is re-read from ZooKeeper and decided again; a failed epoch check throws
 * {@link ControllerFencedException}. Up to {@value #MULTIS_IN_FLIGHT} batches are in flight at once:
 * ZooKeeper applies them in the order sent and makes those queued together durable with one log fsync,
 * so a controller reacting to a lost broker with 100,000 partitions does not wait a round trip and an
 * fsync per batch.
 *
 * <p>Not thread-safe; used from the controller's event thread.
 */
final class PartitionStateWriter {
    private static final Logger log = LoggerFactory.getLogger(PartitionStateWriter.class);
    static final int OPS_PER_MULTI = 500;
    static final int MULTIS_IN_FLIGHT = 8;

    /** Decides the new state of a partition from its current one; empty = leave it. */
    @FunctionalInterface
    interface Decision {
        Optional<PartitionState> decide(TopicPartition tp, PartitionState current);
    }

    /** A decided change, based on the state read at {@code expectedVersion}. */
    record Change(TopicPartition tp, int expectedVersion, PartitionState newState) {}

    private final MetadataStore store;

    PartitionStateWriter(MetadataStore store) {
        this.store = store;
    }

    /**
     * Writes {@code changes}; on a lost race re-reads the partitions of the failed batch and applies
     * {@code decision} again.
     *
     * @return the states written, in order
     */
    List<Change> write(List<Change> changes, int epochZkVersion, Decision decision) {
        List<Change> written = new ArrayList<>();
        ArrayDeque<Sent> inFlight = new ArrayDeque<>();
        for (int from = 0; from < changes.size(); from += OPS_PER_MULTI) {
            List<Change> batch = changes.subList(from, Math.min(changes.size(), from + OPS_PER_MULTI));
            if (inFlight.size() == MULTIS_IN_FLIGHT) {
                written.addAll(settle(inFlight.poll(), epochZkVersion, decision));
            }
            inFlight.add(new Sent(List.copyOf(batch), store.multiAsync(ops(batch, epochZkVersion))));
        }
        while (!inFlight.isEmpty()) {
            written.addAll(settle(inFlight.poll(), epochZkVersion, decision));
        }
        return written;
    }

    /** A batch sent without waiting, and its outcome. */
    private record Sent(List<Change> batch, CompletableFuture<?> result) {}

    /** Waits for a sent batch; one that lost a race is decided again and written in turn. */
    private List<Change> settle(Sent sent, int epochZkVersion, Decision decision) {
        try {
            sent.result().join();
            return sent.batch();
        } catch (CompletionException e) {
            if (e.getCause() instanceof VersionConflictException conflict) {
                ControllerFencedException.throwIfFenced(conflict, epochZkVersion);
                log.info(
                        "Partition state {} changed under the controller; re-reading {} partitions and deciding again",
                        conflict.path(),
                        sent.batch().size());
                return writeBatch(redecide(sent.batch(), decision), epochZkVersion, decision);
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private List<CuratorOp> ops(List<Change> batch, int epochZkVersion) {
        List<CuratorOp> ops = new ArrayList<>(batch.size() + 1);
        ops.add(store.checkOp(Znodes.CONTROLLER_EPOCH, epochZkVersion));
        for (Change c : batch) {
            ops.add(store.setOp(Znodes.partitionState(c.tp()), c.newState(), c.expectedVersion()));
        }
        return ops;
    }

    private List<Change> writeBatch(List<Change> batch, int epochZkVersion, Decision decision) {
        while (!batch.isEmpty()) {
            try {
                store.multi(ops(batch, epochZkVersion));
                return batch;
            } catch (VersionConflictException e) {
                ControllerFencedException.throwIfFenced(e, epochZkVersion);
                log.info(
                        "Partition state {} changed under the controller; re-reading {} partitions and deciding again",
                        e.path(),
                        batch.size());
                batch = redecide(batch, decision);
            }
        }
        return batch;
    }

    private List<Change> redecide(List<Change> batch, Decision decision) {
        List<Change> again = new ArrayList<>();
        for (Change c : batch) {
            Optional<Versioned<PartitionState>> now =
                    store.read(Znodes.partitionState(c.tp()), PartitionState.parser());
            if (now.isEmpty()) {
                continue; // deleted
            }
            decision.decide(c.tp(), now.get().value())
                    .ifPresent(s -> again.add(new Change(c.tp(), now.get().version(), s)));
        }
        return again;
    }
}
