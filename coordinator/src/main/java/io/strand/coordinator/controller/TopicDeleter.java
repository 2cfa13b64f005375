package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.Znodes;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * The znode removal of a topic marked for deletion: its partitions in batched multis, then the topic,
 * its config, any reassignment and the marker; every multi checks {@code /controller_epoch}. Resumable
 * by any later controller (a removed znode is skipped).
 *
 * <p>Stateless; call from the controller's event thread.
 */
final class TopicDeleter {
    private TopicDeleter() {}

    /**
     * @throws io.strand.coordinator.VersionConflictException on a failed epoch check (its path is
     *     {@code /controller_epoch}) or a race with another writer
     */
    static void deleteZnodes(MetadataStore store, String topic, int epochZkVersion) {
        List<String> nodes = new ArrayList<>();
        for (String p : store.children(Znodes.partitions(topic))) {
            nodes.add(Znodes.partition(topic, Integer.parseInt(p)) + "/state");
            nodes.add(Znodes.partition(topic, Integer.parseInt(p)));
        }
        for (int from = 0; from < nodes.size(); from += PartitionStateWriter.OPS_PER_MULTI) {
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(store.checkOp(Znodes.CONTROLLER_EPOCH, epochZkVersion));
            for (String n : nodes.subList(from, Math.min(nodes.size(), from + PartitionStateWriter.OPS_PER_MULTI))) {
                if (store.exists(n)) {
                    ops.add(store.deleteOp(n, -1));
                }
            }
            store.multi(ops);
        }
        List<CuratorOp> last = new ArrayList<>();
        last.add(store.checkOp(Znodes.CONTROLLER_EPOCH, epochZkVersion));
        for (String n : List.of(
                Znodes.partitions(topic),
                Znodes.topic(topic),
                Znodes.topicConfig(topic),
                Znodes.reassignment(topic),
                Znodes.ADMIN_DELETE_TOPICS + "/" + topic)) {
            if (store.exists(n)) {
                last.add(store.deleteOp(n, -1));
            }
        }
        store.multi(last);
    }
}
