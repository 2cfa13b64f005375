package io.strand.server.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.PartitionInfo;
import io.strand.server.group.GroupCoordinator;
import io.strand.server.group.GroupType;
import io.strand.server.network.BrokerClient;
import io.strand.server.network.BrokerConnector;
import io.strand.server.replica.Partition;
import io.strand.server.replica.ReplicaManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer-group lag, which Kafka's brokers do not publish (operators run an exporter for it): for
 * each classic or consumer group this broker coordinates and each partition the group has committed
 * an offset for, the gauge {@code kafka.server:type=ConsumerLag,name=ConsumerLag,group=G,topic=T,partition=P}
 * = the partition's high watermark minus the committed offset (at least 0). It is sampled every
 * {@code strand.metrics.consumer.lag.interval.ms} on one thread of its own: the high watermark is the
 * local one where this broker leads the partition, else asked of its leader with ListOffsets (latest,
 * read_uncommitted) over the inter-broker listener. A gauge goes when its group, its commit or this
 * broker's coordination of the group goes.
 *
 * <p>Thread-safe: the sampler thread writes, gauges read the last sample.
 */
public final class ConsumerLagMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLagMetrics.class);
    private static final short LIST_OFFSETS_VERSION = 7;
    private static final int TIMEOUT_MS = 5_000;

    private final MetricRegistry registry;
    private final GroupCoordinator groups;
    private final ReplicaManager replicas;
    private final MetadataCache cache;
    private final BrokerConnector connector;
    private final int brokerId;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("strand-consumer-lag", true));
    /** Registry key -> lag in the last sample. */
    private final Map<String, Long> lags = new ConcurrentHashMap<>();
    /** Sampler thread only. */
    private final Map<Integer, BrokerClient> clients = new HashMap<>();

    public ConsumerLagMetrics(
            MetricRegistry registry,
            GroupCoordinator groups,
            ReplicaManager replicas,
            MetadataCache cache,
            BrokerConnector connector,
            int brokerId) {
        this.registry = registry;
        this.groups = groups;
        this.replicas = replicas;
        this.cache = cache;
        this.connector = connector;
        this.brokerId = brokerId;
    }

    /** The registry key of the lag of {@code group} on {@code tp}. */
    public static String key(String group, TopicPartition tp) {
        return KafkaMetricNames.name(
                "kafka.server",
                "ConsumerLag",
                "ConsumerLag",
                "group",
                group,
                "topic",
                tp.topic(),
                "partition",
                String.valueOf(tp.partition()));
    }

    /** Samples every {@code intervalMs} from now on. */
    public void start(long intervalMs) {
        thread.scheduleWithFixedDelay(this::sampleQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (Exception e) {
            log.debug("Consumer lag sample failed: {}", e.toString());
        }
    }

    private void sample() throws Exception {
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        for (GroupCoordinator.Listed g :
                groups.listGroups().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).groups()) {
            if (g.type() == GroupType.SHARE) {
                continue;
            }
            GroupCoordinator.OffsetsResult r =
                    groups.fetchOffsets(g.groupId(), null).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (r.error() != Errors.NONE) {
                continue;
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            r.offsets().forEach((tp, c) -> {
                if (c != null && c.offset() >= 0) {
                    offsets.put(tp, c.offset());
                }
            });
            committed.put(g.groupId(), offsets);
        }
        Set<TopicPartition> wanted = new java.util.HashSet<>();
        committed.values().forEach(m -> wanted.addAll(m.keySet()));
        Map<TopicPartition, Long> ends = endOffsets(wanted);

        Map<String, Long> next = new HashMap<>();
        committed.forEach((group, offsets) -> offsets.forEach((tp, offset) -> {
            Long end = ends.get(tp);
            if (end != null) {
                next.put(key(group, tp), Math.max(0, end - offset));
            }
        }));
        lags.putAll(next);
        for (String k : next.keySet()) {
            registry.gauge(k, () -> (Gauge<Long>) () -> lags.getOrDefault(k, 0L));
        }
        for (String k : List.copyOf(lags.keySet())) {
            if (!next.containsKey(k)) {
                lags.remove(k);
                registry.remove(k);
            }
        }
    }

    /** The high watermark of each of {@code tps} that can be had now. */
    private Map<TopicPartition, Long> endOffsets(Set<TopicPartition> tps) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
        for (TopicPartition tp : tps) {
            Optional<Partition> local = replicas.partition(tp).filter(Partition::isLeader);
            if (local.isPresent()) {
                ends.put(tp, local.get().highWatermark());
                continue;
            }
            cache.partition(tp)
                    .map(PartitionInfo::leader)
                    .filter(l -> l >= 0 && l != brokerId)
                    .ifPresent(l ->
                            byLeader.computeIfAbsent(l, x -> new ArrayList<>()).add(tp));
        }
        byLeader.forEach((leader, parts) -> ends.putAll(askLeader(leader, parts)));
        return ends;
    }

    private Map<TopicPartition, Long> askLeader(int leader, List<TopicPartition> tps) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        Optional<InetSocketAddress> address = cache.broker(leader).flatMap(connector::endpoint);
        if (address.isEmpty()) {
            return ends;
        }
        BrokerClient client = clients.get(leader);
        if (client == null || !client.address().equals(address.get())) {
            if (client != null) {
                client.close();
            }
            client = connector.client("strand-consumer-lag-" + brokerId, address.get(), 16 * 1024 * 1024);
            clients.put(leader, client);
        }
        Map<String, ListOffsetsRequestData.ListOffsetsTopic> topics = new HashMap<>();
        for (TopicPartition tp : tps) {
            topics.computeIfAbsent(tp.topic(), t -> new ListOffsetsRequestData.ListOffsetsTopic().setName(t))
                    .partitions()
                    .add(new ListOffsetsRequestData.ListOffsetsPartition()
                            .setPartitionIndex(tp.partition())
                            .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
        }
        ListOffsetsRequestData request = new ListOffsetsRequestData()
                .setReplicaId(ListOffsetsRequest.CONSUMER_REPLICA_ID)
                .setIsolationLevel((byte) 0)
                .setTopics(new ArrayList<>(topics.values()));
        try {
            ListOffsetsResponse response =
                    (ListOffsetsResponse) client.send(ApiKeys.LIST_OFFSETS, LIST_OFFSETS_VERSION, request, TIMEOUT_MS);
            for (ListOffsetsResponseData.ListOffsetsTopicResponse t :
                    response.data().topics()) {
                for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : t.partitions()) {
                    if (p.errorCode() == Errors.NONE.code() && p.offset() >= 0) {
                        ends.put(new TopicPartition(t.name(), p.partitionIndex()), p.offset());
                    }
                }
            }
        } catch (IOException e) {
            log.debug("Consumer lag: ListOffsets to broker {} failed: {}", leader, e.toString());
        }
        return ends;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.values().forEach(BrokerClient::close);
        lags.keySet().forEach(registry::remove);
        lags.clear();
    }
}
