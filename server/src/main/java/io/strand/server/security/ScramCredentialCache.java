package io.strand.server.security;

import io.strand.coordinator.ConfigChangeWatcher;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.admin.ScramCredentialStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.security.authenticator.CredentialCache;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's copy of the users' SCRAM credentials ({@code /config/users/<user>}), in kafka-clients'
 * {@link CredentialCache} that {@code ScramServerCallbackHandler} reads. Kept current by a {@link
 * ConfigChangeWatcher}: everything is loaded at start (and after a reconnection), and a user is
 * re-read when a {@code users/<user>} change notification arrives.
 *
 * <p>Thread-safe: updated on the watcher's thread, read by any authenticating connection.
 */
public final class ScramCredentialCache implements ConfigChangeWatcher.Listener {
    private static final Logger log = LoggerFactory.getLogger(ScramCredentialCache.class);

    private final ScramCredentialStore store;
    private final CredentialCache cache = new CredentialCache();
    private final Set<String> users = ConcurrentHashMap.newKeySet();

    public ScramCredentialCache(ScramCredentialStore store) {
        this.store = store;
        for (ScramMechanism m : ScramMechanism.values()) {
            cache.createCache(m.mechanismName(), ScramCredential.class);
        }
    }

    /** The credentials of {@code mechanism}, by user name. */
    public CredentialCache.Cache<ScramCredential> credentials(ScramMechanism mechanism) {
        return cache.cache(mechanism.mechanismName(), ScramCredential.class);
    }

    @Override
    public void reloadAll() {
        Map<String, Map<ScramMechanism, ScramCredential>> all = store.describeAll();
        for (String gone : Set.copyOf(users)) {
            if (!all.containsKey(gone)) {
                apply(gone, Map.of());
            }
        }
        all.forEach(this::apply);
        log.info("Loaded the SCRAM credentials of {} users", all.size());
    }

    @Override
    public void changed(String entityType, String entityName) {
        if (entityType.equals(Znodes.USERS_ENTITY_TYPE)) {
            Map<ScramMechanism, ScramCredential> creds = store.describe(entityName);
            apply(entityName, creds);
            log.info(
                    "SCRAM credentials of user {} changed: now {}",
                    entityName,
                    creds.keySet().stream().map(ScramMechanism::mechanismName).toList());
        }
    }

    private void apply(String user, Map<ScramMechanism, ScramCredential> creds) {
        for (ScramMechanism m : ScramMechanism.values()) {
            ScramCredential c = creds.get(m);
            if (c == null) {
                credentials(m).remove(user);
            } else {
                credentials(m).put(user, c);
            }
        }
        if (creds.isEmpty()) {
            users.remove(user);
        } else {
            users.add(user);
        }
    }
}
