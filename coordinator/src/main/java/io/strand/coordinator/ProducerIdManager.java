package io.strand.coordinator;

import io.strand.coordinator.proto.ProducerIdBlock;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids from blocks claimed in ZooKeeper: {@code /producer_id_block} holds the
 * last block given to any broker, and claiming the next one is a compare-and-set on it (create if
 * absent for the first), so no two brokers ever hand out the same id, across restarts too.
 *
 * <p>Thread-safe; claiming a block blocks on ZooKeeper (once per {@code blockSize} ids).
 */
public final class ProducerIdManager {
    private static final Logger log = LoggerFactory.getLogger(ProducerIdManager.class);
    public static final int DEFAULT_BLOCK_SIZE = 1000;

    private final MetadataStore store;
    private final int brokerId;
    private final int blockSize;
    private long next;
    private long end; // exclusive

    public ProducerIdManager(MetadataStore store, int brokerId, int blockSize) {
        this.store = store;
        this.brokerId = brokerId;
        this.blockSize = blockSize;
    }

    public synchronized long nextProducerId() {
        if (next >= end) {
            claimBlock();
        }
        return next++;
    }

    private void claimBlock() {
        while (true) {
            Optional<Versioned<ProducerIdBlock>> last = store.read(Znodes.PRODUCER_ID_BLOCK, ProducerIdBlock.parser());
            long first = last.map(
                            v -> v.value().getFirstProducerId() + v.value().getSize())
                    .orElse(0L);
            ProducerIdBlock mine = ProducerIdBlock.newBuilder()
                    .setAssignedBrokerId(brokerId)
                    .setFirstProducerId(first)
                    .setSize(blockSize)
                    .build();
            boolean won;
            if (last.isEmpty()) {
                won = store.createIfAbsent(Znodes.PRODUCER_ID_BLOCK, mine, CreateMode.PERSISTENT);
            } else {
                try {
                    store.setIfVersion(
                            Znodes.PRODUCER_ID_BLOCK, mine, last.get().version());
                    won = true;
                } catch (VersionConflictException raced) {
                    won = false;
                }
            }
            if (won) {
                next = first;
                end = first + blockSize;
                log.info("Broker {} claimed producer ids {}..{}", brokerId, first, end - 1);
                return;
            }
            // another broker claimed a block in between: read its claim and go after it
        }
    }
}
