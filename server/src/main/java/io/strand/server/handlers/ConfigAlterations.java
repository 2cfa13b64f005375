package io.strand.server.handlers;

import io.strand.coordinator.Znodes;
import io.strand.coordinator.admin.ConfigChange;
import io.strand.server.admin.AdminErrors;
import io.strand.server.admin.AdminService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The work shared by AlterConfigs and IncrementalAlterConfigs: one resource's change, written by
 * compare-and-set on the blocking pool, answered once this broker's cache shows the result (bounded),
 * so that a DescribeConfigs sent next to this broker reads it back.
 */
final class ConfigAlterations {
    private static final long CACHE_WAIT_MS = 5_000;

    private ConfigAlterations() {}

    /** Applies {@code changes} (incremental) or, with {@code replace} non-null, replaces all overrides. */
    static CompletableFuture<AdminErrors> alter(
            AdminService admin,
            byte resourceType,
            String resourceName,
            List<ConfigChange> changes,
            Map<String, String> replace,
            boolean validateOnly) {
        var unsupported = ConfigResources.unsupported(resourceType);
        if (unsupported.isPresent()) {
            return CompletableFuture.completedFuture(AdminErrors.of(unsupported.get()));
        }
        boolean topic = ConfigResource.Type.forId(resourceType) == ConfigResource.Type.TOPIC;
        return admin.call(() -> {
                    if (topic) {
                        return replace != null
                                ? admin.topicConfigs().replace(resourceName, replace, validateOnly)
                                : admin.topicConfigs().alter(resourceName, changes, validateOnly);
                    }
                    String entity = ConfigResources.brokerEntity(resourceName);
                    return replace != null
                            ? admin.brokerConfigs().replace(entity, replace, validateOnly)
                            : admin.brokerConfigs().alter(entity, changes, validateOnly);
                })
                .thenCompose(after -> validateOnly
                        ? CompletableFuture.completedFuture(AdminErrors.NONE)
                        : admin.awaitCache(() -> visible(admin, topic, resourceName, after), CACHE_WAIT_MS)
                                .thenApply(ok -> AdminErrors.NONE))
                .exceptionally(AdminErrors::of);
    }

    private static boolean visible(AdminService admin, boolean topic, String name, Map<String, String> after) {
        if (topic) {
            return admin.cache().topic(name).map(t -> t.configs().equals(after)).orElse(true);
        }
        String entity = name == null || name.isEmpty() ? Znodes.DEFAULT_BROKER_ENTITY : name.trim();
        return admin.cache().brokerConfig(entity).equals(after);
    }
}
