package io.strand.tools.cluster;

import com.beust.jcommander.ParametersDelegate;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.TopicAssignments;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.ControllerRegistration;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConnectionFlags;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ApiException;

/**
 * {@code strand cluster describe}: the brokers, the controller, the log directories that are offline
 * or below their free-space floor, and the partitions that are offline (no live leader) or
 * under-replicated (ISR smaller than the replica list). Through a broker (Kafka's Admin API, which
 * shows offline directories but not their partitions, nor directories below the floor) or, with
 * --zookeeper, from the znodes, which also give the controller epoch and every unavailable
 * directory's partitions.
 */
final class ClusterDescribe extends Command<ClusterDescribe.Flags> {
    static final class Flags {
        @ParametersDelegate
        final ConnectionFlags cluster = new ConnectionFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();
    }

    private record Broker(int id, String host, int port, String rack) {}

    /** A log directory a broker reports unavailable; {@code partitions} null when the source cannot tell. */
    private record DirRow(int broker, String dir, String status, String reason, List<String> partitions) {}

    private record PartitionRow(
            String topic, int partition, Integer leader, List<Integer> replicas, List<Integer> isr) {}

    /** What the command shows; {@code controllerEpoch} is null when the source cannot tell. */
    private record View(
            String clusterId,
            Integer controller,
            Integer controllerEpoch,
            List<Broker> brokers,
            List<DirRow> unavailableDirs,
            List<PartitionRow> offline,
            List<PartitionRow> underReplicated,
            int partitionCount) {}

    ClusterDescribe() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        View view = flags.cluster.useZooKeeper() ? fromZooKeeper() : fromBroker();
        if (flags.output.json()) {
            io.println(Json.write(json(view)));
            return 0;
        }
        io.println("Cluster: " + (view.clusterId() == null ? "-" : view.clusterId()));
        io.println("Controller: " + (view.controller() == null ? "none" : "broker " + view.controller())
                + (view.controllerEpoch() == null ? "" : " (epoch " + view.controllerEpoch() + ")"));
        io.println("Brokers: " + view.brokers().size());
        Table brokers = new Table("ID", "HOST", "PORT", "RACK", "CONTROLLER");
        view.brokers()
                .forEach(b -> brokers.row(
                        b.id(),
                        b.host(),
                        b.port(),
                        b.rack() == null ? "-" : b.rack(),
                        view.controller() != null && view.controller() == b.id() ? "yes" : ""));
        brokers.print(io, "  ");
        io.println("Unavailable log directories: " + view.unavailableDirs().size());
        if (!view.unavailableDirs().isEmpty()) {
            Table dirs = new Table("BROKER", "DIRECTORY", "STATUS", "PARTITIONS", "REASON");
            view.unavailableDirs()
                    .forEach(d -> dirs.row(
                            d.broker(),
                            d.dir(),
                            d.status(),
                            d.partitions() == null ? "-" : String.join(",", d.partitions()),
                            d.reason()));
            dirs.print(io, "  ");
        }
        io.println("Partitions: " + view.partitionCount());
        io.println("Offline partitions: " + view.offline().size());
        partitions(io, view.offline());
        io.println("Under-replicated partitions: " + view.underReplicated().size());
        partitions(io, view.underReplicated());
        return 0;
    }

    private static void partitions(Io io, List<PartitionRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        Table t = new Table("PARTITION", "LEADER", "REPLICAS", "ISR");
        rows.forEach(r -> t.row(
                r.topic() + "-" + r.partition(),
                r.leader() == null ? "none" : r.leader(),
                Table.ids(r.replicas()),
                Table.ids(r.isr())));
        t.print(io, "  ");
    }

    private View fromBroker() {
        try (KafkaAdmin admin = KafkaAdmin.open(flags.cluster.broker())) {
            DescribeClusterResult cluster = admin.admin().describeCluster();
            Collection<Node> nodes = admin.await(cluster.nodes(), "describing the cluster");
            Node controller = admin.await(cluster.controller(), "describing the cluster");
            String clusterId = admin.await(cluster.clusterId(), "describing the cluster");
            List<Broker> brokers = nodes.stream()
                    .sorted(Comparator.comparingInt(Node::id))
                    .map(n -> new Broker(n.id(), n.host(), n.port(), n.rack()))
                    .toList();
            Set<String> names = admin.await(
                    admin.admin()
                            .listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                            .names(),
                    "listing topics");
            Map<String, TopicDescription> described = names.isEmpty()
                    ? Map.of()
                    : admin.await(admin.admin().describeTopics(names).allTopicNames(), "describing topics");
            List<PartitionRow> offline = new ArrayList<>();
            List<PartitionRow> under = new ArrayList<>();
            int count = 0;
            for (String topic : new TreeSet<>(described.keySet())) {
                List<TopicPartitionInfo> ps =
                        new ArrayList<>(described.get(topic).partitions());
                ps.sort(Comparator.comparingInt(TopicPartitionInfo::partition));
                for (TopicPartitionInfo p : ps) {
                    count++;
                    Integer leader = p.leader() == null || p.leader().id() < 0
                            ? null
                            : p.leader().id();
                    classify(
                            new PartitionRow(
                                    topic,
                                    p.partition(),
                                    leader,
                                    KafkaAdmin.ids(p.replicas()),
                                    KafkaAdmin.ids(p.isr())),
                            offline,
                            under);
                }
            }
            List<DirRow> dirs = new ArrayList<>();
            if (!nodes.isEmpty()) {
                Map<Integer, Map<String, org.apache.kafka.clients.admin.LogDirDescription>> byBroker = admin.await(
                        admin.admin()
                                .describeLogDirs(nodes.stream().map(Node::id).toList())
                                .allDescriptions(),
                        "describing log directories");
                new java.util.TreeMap<>(byBroker)
                        .forEach((id, ds) -> new java.util.TreeMap<>(ds).forEach((dir, d) -> {
                            if (d.error() != null) {
                                dirs.add(new DirRow(id, dir, "OFFLINE", Failures.describe(d.error()), null));
                            }
                        }));
            }
            return new View(
                    clusterId,
                    controller == null || controller.id() < 0 ? null : controller.id(),
                    null,
                    brokers,
                    dirs,
                    offline,
                    under,
                    count);
        } catch (ApiException e) {
            throw new CliException("cannot describe the cluster: " + Failures.describe(e), e);
        }
    }

    private View fromZooKeeper() {
        CuratorFramework zk = flags.cluster.connectZooKeeper();
        try {
            MetadataStore store = new MetadataStore(zk);
            String clusterId = store.read(Znodes.CLUSTER_ID, io.strand.coordinator.proto.ClusterId.parser())
                    .map(v -> v.value().getId())
                    .orElse(null);
            Optional<ControllerRegistration> controller = store.read(Znodes.CONTROLLER, ControllerRegistration.parser())
                    .map(Versioned::value);
            List<Broker> brokers = new ArrayList<>();
            List<DirRow> dirs = new ArrayList<>();
            Set<Integer> live = new TreeSet<>();
            for (String id : store.children(Znodes.BROKER_IDS)) {
                store.read(Znodes.BROKER_IDS + "/" + id, BrokerRegistration.parser())
                        .ifPresent(v -> {
                            BrokerRegistration b = v.value();
                            live.add(b.getBrokerId());
                            String host = b.getEndpointsCount() == 0
                                    ? "-"
                                    : b.getEndpoints(0).getHost();
                            int port = b.getEndpointsCount() == 0
                                    ? -1
                                    : b.getEndpoints(0).getPort();
                            brokers.add(new Broker(
                                    b.getBrokerId(), host, port, b.getRack().isEmpty() ? null : b.getRack()));
                            b.getUnavailableLogDirsList()
                                    .forEach(d -> dirs.add(new DirRow(
                                            b.getBrokerId(),
                                            d.getPath(),
                                            d.getStatus().name(),
                                            d.getReason(),
                                            d.getPartitionsList().stream()
                                                    .map(p -> p.getTopic() + "-" + p.getPartition())
                                                    .sorted()
                                                    .toList())));
                        });
            }
            brokers.sort(Comparator.comparingInt(Broker::id));
            dirs.sort(Comparator.comparingInt(DirRow::broker).thenComparing(DirRow::dir));
            List<PartitionRow> offline = new ArrayList<>();
            List<PartitionRow> under = new ArrayList<>();
            int count = 0;
            for (String topic : new TreeSet<>(store.children(Znodes.TOPICS))) {
                Optional<Versioned<TopicAssignment>> a = store.read(Znodes.topic(topic), TopicAssignment.parser());
                if (a.isEmpty()) {
                    continue;
                }
                for (Map.Entry<Integer, List<Integer>> e :
                        TopicAssignments.replicas(a.get().value()).entrySet()) {
                    count++;
                    Optional<PartitionState> s = store.read(
                                    Znodes.partitionState(topic, e.getKey()), PartitionState.parser())
                            .map(Versioned::value);
                    Integer leader = s.map(PartitionState::getLeader)
                            .filter(l -> l >= 0 && live.contains(l))
                            .orElse(null);
                    List<Integer> isr = s.map(x -> List.copyOf(x.getIsrList())).orElse(List.of());
                    classify(new PartitionRow(topic, e.getKey(), leader, e.getValue(), isr), offline, under);
                }
            }
            return new View(
                    clusterId,
                    controller.map(ControllerRegistration::getBrokerId).orElse(null),
                    controller.map(ControllerRegistration::getEpoch).orElse(null),
                    brokers,
                    dirs,
                    offline,
                    under,
                    count);
        } catch (io.strand.coordinator.MetadataStoreException e) {
            throw new CliException(
                    "cannot read the cluster from " + flags.cluster.zookeeper() + ": "
                            + Failures.oneLine(e.getMessage()),
                    e);
        } finally {
            zk.close();
        }
    }

    private static void classify(PartitionRow row, List<PartitionRow> offline, List<PartitionRow> under) {
        if (row.leader() == null) {
            offline.add(row);
        } else if (row.isr().size() < row.replicas().size()) {
            under.add(row);
        }
    }

    private static Map<String, Object> json(View v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clusterId", v.clusterId());
        m.put("controller", v.controller());
        if (v.controllerEpoch() != null) {
            m.put("controllerEpoch", v.controllerEpoch());
        }
        List<Map<String, Object>> brokers = new ArrayList<>();
        v.brokers().forEach(b -> {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("id", b.id());
            bm.put("host", b.host());
            bm.put("port", b.port());
            bm.put("rack", b.rack());
            brokers.add(bm);
        });
        m.put("brokers", brokers);
        List<Map<String, Object>> dirs = new ArrayList<>();
        v.unavailableDirs().forEach(d -> {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("broker", d.broker());
            dm.put("dir", d.dir());
            dm.put("status", d.status());
            dm.put("reason", d.reason());
            dm.put("partitions", d.partitions());
            dirs.add(dm);
        });
        m.put("unavailableLogDirs", dirs);
        m.put("partitionCount", v.partitionCount());
        m.put("offlinePartitions", rows(v.offline()));
        m.put("underReplicatedPartitions", rows(v.underReplicated()));
        return m;
    }

    private static List<Map<String, Object>> rows(List<PartitionRow> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        rows.forEach(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("topic", r.topic());
            m.put("partition", r.partition());
            m.put("leader", r.leader());
            m.put("replicas", r.replicas());
            m.put("isr", r.isr());
            out.add(m);
        });
        return out;
    }
}
