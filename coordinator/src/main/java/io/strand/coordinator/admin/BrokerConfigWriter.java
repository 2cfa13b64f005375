package io.strand.coordinator.admin;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.BrokerConfigOverrides;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes the dynamic config overrides of one broker ({@code /config/brokers/<id>}) or of all
 * brokers ({@code /config/brokers/<default>}) by compare-and-set, or create-if-absent for the first
 * override. Only {@link DynamicBrokerConfigs#NAMES} may be set; a request naming a read-only config
 * fails with {@link InvalidRequestException}, as Kafka answers for configs it cannot update
 * dynamically.
 *
 * <p>Thread-safe; blocks on ZooKeeper.
 */
public final class BrokerConfigWriter {
    private static final Logger log = LoggerFactory.getLogger(BrokerConfigWriter.class);

    private final MetadataStore store;

    public BrokerConfigWriter(MetadataStore store) {
        this.store = store;
    }

    /** IncrementalAlterConfigs on {@code entity} (a broker id or {@code <default>}). */
    public Map<String, String> alter(String entity, List<ConfigChange> changes, boolean validateOnly) {
        return write(entity, current -> ConfigChange.apply(current, changes, Map.of()), validateOnly);
    }

    /** AlterConfigs: the dynamic overrides become exactly {@code overrides}. */
    public Map<String, String> replace(String entity, Map<String, String> overrides, boolean validateOnly) {
        return write(entity, current -> new TreeMap<>(overrides), validateOnly);
    }

    private Map<String, String> write(String entity, UnaryOperator<Map<String, String>> decide, boolean validateOnly) {
        String path = Znodes.brokerConfig(entity);
        while (true) {
            Optional<Versioned<BrokerConfigOverrides>> current = store.read(path, BrokerConfigOverrides.parser());
            Map<String, String> before =
                    current.map(v -> v.value().getOverridesMap()).orElse(Map.of());
            Map<String, String> after = decide.apply(new TreeMap<>(before));
            Optional<String> problem = DynamicBrokerConfigs.problem(after);
            if (problem.isPresent()) {
                throw new InvalidRequestException(problem.get());
            }
            if (validateOnly || after.equals(before)) {
                return after;
            }
            BrokerConfigOverrides value =
                    BrokerConfigOverrides.newBuilder().putAllOverrides(after).build();
            try {
                if (current.isEmpty()) {
                    if (!store.createIfAbsent(path, value, CreateMode.PERSISTENT)) {
                        continue; // created meanwhile: decide again on what is there
                    }
                } else {
                    store.setIfVersion(path, value, current.get().version());
                }
            } catch (VersionConflictException lostRace) {
                continue;
            }
            log.info("Dynamic config of broker {}: {} -> {}", entity, before, after);
            return after;
        }
    }
}
