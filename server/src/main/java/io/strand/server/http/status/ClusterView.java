package io.strand.server.http.status;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.coordinator.TopicView;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /api/cluster}: the page's header. Cluster id, controller, this broker's ZooKeeper session state and the
 * partition counts come from this broker's metadata cache and ZooKeeper client; the brokers are the live ones
 * (registered) plus any a partition names as a replica (shown as not live), each with its disk use, which this
 * broker measures for itself and asks the others' {@code /api/local/disk} for. Thread-safe (reads only).
 */
final class ClusterView {
    record Broker(
            int id,
            boolean live,
            boolean controller,
            boolean self,
            String rack,
            List<String> listeners,
            String http,
            List<DiskView.LogDir> logDirs,
            String diskError) {}

    record Cluster(
            String clusterId,
            int thisBroker,
            int controllerId,
            int controllerEpoch,
            String zookeeperSession,
            int topics,
            int partitions,
            int offlinePartitions,
            int underReplicatedPartitions,
            int underMinIsrPartitions,
            List<Broker> brokers) {}

    private final StatusSources sources;
    private final DiskView disk;
    private final Peers peers;

    ClusterView(StatusSources sources, DiskView disk, Peers peers) {
        this.sources = sources;
        this.disk = disk;
        this.peers = peers;
    }

    CompletableFuture<Cluster> answer(Query query) {
        MetadataCache cache = sources.cache();
        int partitions = 0;
        int offline = 0;
        int underReplicated = 0;
        int underMinIsr = 0;
        TreeSet<Integer> known = new TreeSet<>(cache.liveBrokers().keySet());
        for (TopicView t : cache.topics()) {
            int minIsr = PartitionHealth.minInsyncReplicas(sources.config(), t);
            for (PartitionInfo p : t.partitionsSnapshot()) {
                partitions++;
                known.addAll(p.replicas());
                offline += PartitionHealth.offline(p, cache) ? 1 : 0;
                underReplicated += PartitionHealth.underReplicated(p) ? 1 : 0;
                underMinIsr += PartitionHealth.underMinIsr(p, minIsr) ? 1 : 0;
            }
        }
        Map<Integer, BrokerRegistration> live = cache.liveBrokers();
        List<CompletableFuture<Broker>> brokers = new ArrayList<>();
        for (int id : known) {
            brokers.add(broker(id, live.get(id)));
        }
        int p = partitions;
        int o = offline;
        int u = underReplicated;
        int m = underMinIsr;
        int topics = cache.topics().size();
        return CompletableFuture.allOf(brokers.toArray(CompletableFuture[]::new))
                .thenApply(v -> new Cluster(
                        cache.clusterId(),
                        sources.brokerId(),
                        cache.controllerId(),
                        cache.controllerEpoch(),
                        zookeeperSession(),
                        topics,
                        p,
                        o,
                        u,
                        m,
                        brokers.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<Broker> broker(int id, BrokerRegistration registration) {
        boolean controller = sources.cache().controllerId() == id;
        boolean self = id == sources.brokerId();
        if (registration == null) {
            String why = self ? "this broker is not registered (ZooKeeper session lost?)" : "not live";
            if (self) {
                return CompletableFuture.completedFuture(new Broker(
                        id,
                        false,
                        controller,
                        true,
                        "",
                        List.of(),
                        "",
                        disk.disk().logDirs(),
                        why));
            }
            return CompletableFuture.completedFuture(
                    new Broker(id, false, controller, false, "", List.of(), "", List.of(), why));
        }
        List<String> listeners = registration.getEndpointsList().stream()
                .map(ClusterView::listener)
                .toList();
        String rack = registration.getRack();
        String http = registration.getHttpEndpoint();
        if (self) {
            return CompletableFuture.completedFuture(new Broker(
                    id,
                    true,
                    controller,
                    true,
                    rack,
                    listeners,
                    http,
                    disk.disk().logDirs(),
                    null));
        }
        return peers.get(id, "/api/local/disk", Map.of(), DiskView.Disk.class)
                .thenApply(a -> new Broker(
                        id,
                        true,
                        controller,
                        false,
                        rack,
                        listeners,
                        http,
                        a.ok() ? a.value().logDirs() : List.of(),
                        a.error()));
    }

    private static String listener(Endpoint e) {
        String host = e.getHost().contains(":") ? "[" + e.getHost() + "]" : e.getHost();
        return e.getListenerName() + "://" + host + ":" + e.getPort();
    }

    /** This broker's ZooKeeper session as the ZooKeeper client sees it (CONNECTED, CONNECTING, CLOSED...). */
    private String zookeeperSession() {
        try {
            return sources.zookeeper()
                    .getZookeeperClient()
                    .getZooKeeper()
                    .getState()
                    .name();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
