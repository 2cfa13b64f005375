package io.strand.coordinator.admin;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.TopicConfigs;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.TopicConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes a topic's config overrides in {@code /config/topics/<t>} by compare-and-set: reads the
 * overrides with their version, applies the changes, validates the result with
 * {@link TopicConfigs}, and writes it with the version read; on a lost race it decides again from
 * what the other writer left. Brokers apply the new overrides to their logs when the znode changes.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class TopicConfigWriter {
    private static final Logger log = LoggerFactory.getLogger(TopicConfigWriter.class);

    private final MetadataStore store;

    public TopicConfigWriter(MetadataStore store) {
        this.store = store;
    }

    /** The topic's overrides now. @throws UnknownTopicOrPartitionException if the topic does not exist */
    public Map<String, String> overrides(String topic) {
        requireTopic(topic);
        return store.read(Znodes.topicConfig(topic), TopicConfig.parser())
                .map(v -> (Map<String, String>) new TreeMap<>(v.value().getOverridesMap()))
                .orElseGet(TreeMap::new);
    }

    /**
     * IncrementalAlterConfigs: applies {@code changes} in order.
     *
     * @return the overrides after the change (what was written, or would be with {@code validateOnly})
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     * @throws InvalidConfigurationException if a resulting value is not valid
     * @throws org.apache.kafka.common.errors.InvalidRequestException for a duplicate name or a list op on a non-list config
     */
    public Map<String, String> alter(String topic, List<ConfigChange> changes, boolean validateOnly) {
        return write(topic, current -> ConfigChange.apply(current, changes, TopicConfigs.LIST_DEFAULTS), validateOnly);
    }

    /** AlterConfigs: the overrides become exactly {@code overrides}. */
    public Map<String, String> replace(String topic, Map<String, String> overrides, boolean validateOnly) {
        return write(topic, current -> new TreeMap<>(overrides), validateOnly);
    }

    private Map<String, String> write(String topic, UnaryOperator<Map<String, String>> decide, boolean validateOnly) {
        requireTopic(topic);
        String path = Znodes.topicConfig(topic);
        while (true) {
            Optional<Versioned<TopicConfig>> current = store.read(path, TopicConfig.parser());
            Map<String, String> before =
                    current.map(v -> v.value().getOverridesMap()).orElse(Map.of());
            Map<String, String> after = decide.apply(new TreeMap<>(before));
            Optional<String> problem = TopicConfigs.problem(after);
            if (problem.isPresent()) {
                throw new InvalidConfigurationException("Invalid config for topic " + topic + ": " + problem.get());
            }
            if (validateOnly || after.equals(before)) {
                return after;
            }
            TopicConfig value = TopicConfig.newBuilder().putAllOverrides(after).build();
            try {
                if (current.isEmpty()) {
                    // the topic exists but its config znode does not (written by an older tool): create it
                    // in a multi that checks the topic is still there
                    List<CuratorOp> ops = List.of(store.checkOp(Znodes.topic(topic), -1), store.createOp(path, value));
                    store.multi(ops);
                } else {
                    store.setIfVersion(path, value, current.get().version());
                }
            } catch (VersionConflictException lostRace) {
                requireTopic(topic);
                continue;
            }
            log.info("Config overrides of topic {}: {} -> {}", topic, before, after);
            return after;
        }
    }

    private void requireTopic(String topic) {
        if (!store.exists(Znodes.topic(topic))) {
            throw new UnknownTopicOrPartitionException("Topic " + topic + " does not exist");
        }
    }
}
