package io.strand.server.quota;

import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.admin.ClientQuotaStore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's copy of the client quotas in ZooKeeper, kept current by a {@link
 * ConfigChangeWatcher}: everything is loaded at start (and after a reconnection), and an entity is
 * re-read when its notification ({@code users/<user>}, {@code clients/<id>}, {@code
 * users/<user>/clients/<id>}) arrives. Each new snapshot goes to the quota managers at once.
 *
 * <p>A notification names entities desanitized, so {@code <default>} there is either the default
 * entity or one literally named {@code <default>}: both are re-read.
 *
 * <p>Thread-safe: updated on the watcher's thread, read through {@link #current()} by any thread.
 */
final class ClientQuotaCache implements ConfigChangeWatcher.Listener {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotaCache.class);

    private final ClientQuotaStore store;
    private final List<ClientQuotaManager> managers;
    private volatile QuotaOverrides current = QuotaOverrides.NONE;

    ClientQuotaCache(ClientQuotaStore store, List<ClientQuotaManager> managers) {
        this.store = store;
        this.managers = List.copyOf(managers);
    }

    QuotaOverrides current() {
        return current;
    }

    @Override
    public void reloadAll() {
        publish(QuotaOverrides.of(store.describeAll()));
        log.info("Loaded the client quotas of {} entities", current.entities().size());
    }

    @Override
    public void changed(String entityType, String entityName) {
        if (entityType.equals(Znodes.USERS_ENTITY_TYPE)) {
            reload(names(entityName), null);
        } else if (entityType.equals(Znodes.CLIENTS_ENTITY_TYPE)) {
            reload(null, names(entityName));
        }
    }

    @Override
    public void changed(String entityType, String entityName, String childType, String childName) {
        if (entityType.equals(Znodes.USERS_ENTITY_TYPE) && childType.equals(Znodes.CLIENTS_ENTITY_TYPE)) {
            reload(names(entityName), names(childName));
        }
    }

    /** The entity names a desanitized notification name can stand for ({@code null}: the default). */
    private static List<String> names(String name) {
        return name.equals(Znodes.DEFAULT_QUOTA_ENTITY) ? Arrays.asList(null, name) : List.of(name);
    }

    /** Re-reads every user × client-id entity of {@code users} and {@code clientIds} (null: not part of it). */
    private void reload(List<String> users, List<String> clientIds) {
        QuotaOverrides next = current;
        for (String user : users == null ? Arrays.asList((String) null) : users) {
            for (String clientId : clientIds == null ? Arrays.asList((String) null) : clientIds) {
                Map<String, String> e = new HashMap<>();
                if (users != null) {
                    e.put(ClientQuotaEntity.USER, user);
                }
                if (clientIds != null) {
                    e.put(ClientQuotaEntity.CLIENT_ID, clientId);
                }
                ClientQuotaEntity entity = new ClientQuotaEntity(e);
                Map<String, Double> quotas = store.describe(entity);
                next = next.with(entity, quotas);
                log.info("Client quotas of {} changed: now {}", entity, quotas);
            }
        }
        publish(next);
    }

    private void publish(QuotaOverrides next) {
        current = next;
        for (ClientQuotaManager m : managers) {
            m.update(next);
        }
    }
}
