package io.strand.tools.topics;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.KafkaAdmin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConfigsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Topics through a broker, with Kafka's Admin client through {@link KafkaAdmin}: every call waits at
 * most the {@code --timeout-ms} given; a broker that cannot be reached is reported as such. Not
 * thread-safe; one per command run.
 */
final class AdminTopicBackend implements TopicBackend {
    private final KafkaAdmin kafka;
    private final Admin admin;

    /** Takes over {@code kafka}: closing the backend closes it. */
    AdminTopicBackend(KafkaAdmin kafka) {
        this.kafka = kafka;
        this.admin = kafka.admin();
    }

    @Override
    public CreatedTopic create(NewTopicRequest request) {
        String name = request.name();
        NewTopic newTopic = request.assignment().isEmpty()
                ? new NewTopic(
                        name,
                        Optional.ofNullable(request.partitions()),
                        Optional.ofNullable(request.replicationFactor()).map(Integer::shortValue))
                : new NewTopic(name, request.assignment());
        newTopic.configs(request.configs());
        CreateTopicsResult result = admin.createTopics(List.of(newTopic));
        try {
            await(result.values().get(name), "creating topic '" + name + "'");
        } catch (TopicExistsException e) {
            Optional<org.apache.kafka.clients.admin.TopicDescription> winner = Optional.empty();
            try {
                winner = Optional.of(await(
                        admin.describeTopics(List.of(name)).topicNameValues().get(name),
                        "describing topic '" + name + "'"));
            } catch (RuntimeException describeFailed) {
                // fall through with the broker's own message
            }
            if (winner.isEmpty()) {
                throw new CliException(
                        "topic '" + name + "' already exists (TOPIC_ALREADY_EXISTS): " + Failures.describe(e), e);
            }
            throw new CliException(
                    TopicBackend.alreadyExists(name, topicId(winner.get().topicId()), assignment(winner.get())), e);
        } catch (ApiException e) {
            throw new CliException("cannot create topic '" + name + "': " + Failures.describe(e), e);
        }
        String topicId = Optional.ofNullable(now(result.topicId(name)))
                .map(AdminTopicBackend::topicId)
                .orElse(null);
        Integer partitions = now(result.numPartitions(name));
        Integer rf = now(result.replicationFactor(name));
        Map<Integer, List<Integer>> assignment =
                request.assignment().isEmpty() ? null : new TreeMap<>(request.assignment());
        return new CreatedTopic(name, topicId, partitions, rf, assignment);
    }

    @Override
    public DeletedTopic delete(String topic) {
        String id = null;
        try {
            id = topicId(await(
                            admin.describeTopics(List.of(topic))
                                    .topicNameValues()
                                    .get(topic),
                            "describing topic '" + topic + "'")
                    .topicId());
            await(admin.deleteTopics(List.of(topic)).all(), "deleting topic '" + topic + "'");
            return new DeletedTopic(topic, id, true);
        } catch (UnknownTopicOrPartitionException e) {
            throw new CliException(Failures.unknownTopic(topic, ""), e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return new DeletedTopic(topic, id, false); // marked; the broker did not see it finish in time
        } catch (ApiException e) {
            throw new CliException("cannot delete topic '" + topic + "': " + Failures.describe(e), e);
        }
    }

    @Override
    public AlteredTopic alter(String topic, Integer partitions, Map<String, String> set, List<String> delete) {
        try {
            int before = await(
                            admin.describeTopics(List.of(topic))
                                    .topicNameValues()
                                    .get(topic),
                            "describing topic '" + topic + "'")
                    .partitions()
                    .size();
            int after = before;
            if (partitions != null) {
                await(
                        admin.createPartitions(Map.of(
                                        topic, org.apache.kafka.clients.admin.NewPartitions.increaseTo(partitions)))
                                .all(),
                        "adding partitions to topic '" + topic + "'");
                after = partitions;
            }
            if (!set.isEmpty() || !delete.isEmpty()) {
                kafka.alterConfigs(
                        new ConfigResource(ConfigResource.Type.TOPIC, topic),
                        set,
                        delete,
                        "changing the configs of topic '" + topic + "'");
            }
            Config config = configs(List.of(topic), w -> {}).get(topic);
            Map<String, String> overrides = config == null ? Map.of() : overrides(config);
            return new AlteredTopic(topic, before, after, overrides);
        } catch (UnknownTopicOrPartitionException e) {
            throw new CliException(Failures.unknownTopic(topic, ""), e);
        } catch (ApiException e) {
            throw new CliException("cannot alter topic '" + topic + "': " + Failures.describe(e), e);
        }
    }

    @Override
    public List<String> list() {
        try {
            List<String> names = new ArrayList<>(await(admin.listTopics().names(), "listing topics"));
            names.sort(null);
            return names;
        } catch (ApiException e) {
            throw new CliException("cannot list topics: " + Failures.describe(e), e);
        }
    }

    @Override
    public List<TopicDescription> describe(String topic, Consumer<String> warn) {
        List<String> names = topic == null ? list() : List.of(topic);
        if (names.isEmpty()) {
            return List.of();
        }
        Map<String, KafkaFuture<org.apache.kafka.clients.admin.TopicDescription>> futures =
                admin.describeTopics(names).topicNameValues();
        Map<String, org.apache.kafka.clients.admin.TopicDescription> found = new LinkedHashMap<>();
        for (String name : names) {
            try {
                found.put(name, await(futures.get(name), "describing topic '" + name + "'"));
            } catch (UnknownTopicOrPartitionException e) {
                if (topic != null) {
                    throw new CliException(Failures.unknownTopic(name, ""), e);
                }
                // deleted between listing and describing
            } catch (ApiException e) {
                throw new CliException("cannot describe topic '" + name + "': " + Failures.describe(e), e);
            }
        }
        Map<String, Config> configs = configs(found.keySet(), warn);
        List<TopicDescription> out = new ArrayList<>();
        found.forEach((name, d) -> {
            Config config = configs.get(name);
            // the Kafka API carries the policy (DescribeConfigs), not what the brokers' log cleaners know
            ConfigEntry policy = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            Compaction compaction = policy == null || policy.value() == null
                    ? null
                    : new Compaction(policy.value(), null, null, null, List.of());
            List<PartitionDescription> partitions = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                Node leader = p.leader();
                partitions.add(new PartitionDescription(
                        p.partition(),
                        leader == null || leader.id() < 0 ? null : leader.id(),
                        null,
                        KafkaAdmin.ids(p.replicas()),
                        KafkaAdmin.ids(p.isr()),
                        compaction));
            }
            partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            out.add(new TopicDescription(
                    name, topicId(d.topicId()), false, partitions, config == null ? null : overrides(config)));
        });
        return out;
    }

    /** The overrides among a topic's configs. */
    private static Map<String, String> overrides(Config config) {
        Map<String, String> overrides = new TreeMap<>();
        for (ConfigEntry e : config.entries()) {
            boolean override = e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                    || (e.source() == ConfigEntry.ConfigSource.UNKNOWN && !e.isDefault());
            if (override) {
                overrides.put(e.name(), e.isSensitive() || e.value() == null ? "(sensitive)" : e.value());
            }
        }
        return overrides;
    }

    /**
     * The configs of each topic (absent where unknown). A broker without DescribeConfigs yields no
     * configs and no warning; other failures a warning per topic.
     */
    private Map<String, Config> configs(java.util.Collection<String> topics, Consumer<String> warn) {
        Map<String, Config> out = new TreeMap<>();
        if (topics.isEmpty()) {
            return out;
        }
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        DescribeConfigsResult result = admin.describeConfigs(resources);
        for (ConfigResource r : resources) {
            try {
                out.put(r.name(), await(result.values().get(r), "describing the configs of topic '" + r.name() + "'"));
            } catch (UnsupportedVersionException e) {
                return new TreeMap<>(); // the broker has no DescribeConfigs yet: leave configs out
            } catch (RuntimeException e) {
                warn.accept("warning: could not read the configs of topic '" + r.name() + "': " + Failures.describe(e));
            }
        }
        return out;
    }

    @Override
    public void close() {
        kafka.close();
    }

    // ---- helpers ----

    private <T> T await(KafkaFuture<T> future, String what) {
        return kafka.await(future, what);
    }

    /** The value of an already completed future, or null if it failed (e.g. the broker did not report it). */
    private static <T> T now(KafkaFuture<T> future) {
        try {
            return future.getNow(null);
        } catch (ExecutionException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String topicId(Uuid id) {
        return id == null || Uuid.ZERO_UUID.equals(id) ? null : id.toString();
    }

    private static Map<Integer, List<Integer>> assignment(org.apache.kafka.clients.admin.TopicDescription d) {
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            out.put(p.partition(), KafkaAdmin.ids(p.replicas()));
        }
        return out;
    }
}
