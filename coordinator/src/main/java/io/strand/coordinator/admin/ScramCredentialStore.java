package io.strand.coordinator.admin;

import com.google.protobuf.ByteString;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.ConfigChangeNotification;
import io.strand.coordinator.proto.ScramCredentialData;
import io.strand.coordinator.proto.UserConfig;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.utils.internals.Sanitizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCRAM credentials of users in ZooKeeper, where Kafka's ZooKeeper mode keeps them: {@code
 * /config/users/<user>} ({@code UserConfig}: per mechanism the salt, stored key, server key and
 * iterations, never the password). Every write is create-if-absent, CAS on the version read, or a
 * delete on that version, in one {@code multi} with a {@code /config/changes/config_change_<seq>}
 * notification ({@code users/<user>}) so that every broker reloads the user at once. A lost race
 * re-reads and decides again. The same znode holds the user's client quotas ({@link
 * ClientQuotaStore}): a write here changes the credentials only, and the znode is deleted only when
 * it holds nothing else and has no {@code clients/} children.
 *
 * <p>The cluster launcher creates the first user before any broker runs:
 *
 * <pre>{@code
 * new ScramCredentialStore(new MetadataStore(zk))
 *         .createIfAbsent("admin", ScramMechanism.SCRAM_SHA_512, password, ScramCredentialStore.DEFAULT_ITERATIONS);
 * }</pre>
 *
 * <p>Thread-safe; blocks on ZooKeeper (never call from a network event loop).
 */
public final class ScramCredentialStore {
    private static final Logger log = LoggerFactory.getLogger(ScramCredentialStore.class);

    /** Kafka's default iterations (kafka-configs without {@code iterations=}). */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** The most iterations Kafka accepts in AlterUserScramCredentials. */
    public static final int MAX_ITERATIONS = 16384;

    private final MetadataStore store;
    private volatile boolean parentsExist;

    public ScramCredentialStore(MetadataStore store) {
        this.store = store;
    }

    /** The credential for {@code password}, salted with a fresh random salt (what kafka-configs computes). */
    public static ScramCredential credential(ScramMechanism mechanism, String password, int iterations) {
        try {
            return new ScramFormatter(mechanism).generateCredential(password, iterations);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(mechanism + " is not available in this JVM", e);
        }
    }

    /** Creates or replaces {@code user}'s credential for {@code mechanism}. */
    public void upsert(String user, ScramMechanism mechanism, ScramCredential credential) {
        alter(user, Map.of(mechanism, credential), Set.of());
    }

    /** Creates or replaces {@code user}'s credential for {@code mechanism} from its password. */
    public void upsertPassword(String user, ScramMechanism mechanism, String password, int iterations) {
        upsert(user, mechanism, credential(mechanism, password, iterations));
    }

    /**
     * Creates {@code user}'s credential for {@code mechanism} from its password unless the user already has one
     * for that mechanism (which is left as it is, whatever its password).
     *
     * @return true if this call created it
     */
    public boolean createIfAbsent(String user, ScramMechanism mechanism, String password, int iterations) {
        ScramCredential credential = credential(mechanism, password, iterations);
        return write(user, current -> {
            if (current.containsKey(mechanism.mechanismName())) {
                return Optional.empty();
            }
            Map<String, ScramCredentialData> after = new TreeMap<>(current);
            after.put(mechanism.mechanismName(), data(credential));
            return Optional.of(after);
        });
    }

    /**
     * Deletes {@code user}'s credential for {@code mechanism}.
     *
     * @return false if there was none
     */
    public boolean delete(String user, ScramMechanism mechanism) {
        try {
            alter(user, Map.of(), Set.of(mechanism));
            return true;
        } catch (ResourceNotFoundException none) {
            return false;
        }
    }

    /** {@code user}'s credentials by mechanism; empty if it has none. */
    public Map<ScramMechanism, ScramCredential> describe(String user) {
        return store.read(Znodes.userConfig(user), UserConfig.parser())
                .map(v -> credentials(v.value()))
                .orElse(Map.of());
    }

    /** Every user that has at least one credential, by name. */
    public SortedMap<String, Map<ScramMechanism, ScramCredential>> describeAll() {
        SortedMap<String, Map<ScramMechanism, ScramCredential>> out = new TreeMap<>();
        for (String sanitized : store.children(Znodes.CONFIG_USERS)) {
            String user = Sanitizer.desanitize(sanitized);
            Map<ScramMechanism, ScramCredential> creds;
            try {
                creds = describe(user);
            } catch (io.strand.coordinator.MetadataStoreException e) {
                if (!(e.getCause() instanceof com.google.protobuf.InvalidProtocolBufferException)) {
                    throw e;
                }
                // one unreadable znode (written by hand, or by another tool) costs that user only
                log.error("Skipping the SCRAM credentials of user {}: {}", user, e.getMessage());
                continue;
            }
            if (!creds.isEmpty()) {
                out.put(user, creds);
            }
        }
        return out;
    }

    /**
     * Applies {@code deletions}, then {@code upserts}, to {@code user}'s credentials in one write.
     *
     * @throws ResourceNotFoundException if a deletion names a credential the user does not have (nothing is
     *     written)
     */
    public void alter(String user, Map<ScramMechanism, ScramCredential> upserts, Set<ScramMechanism> deletions) {
        write(user, current -> {
            Map<String, ScramCredentialData> after = new TreeMap<>(current);
            for (ScramMechanism m : deletions) {
                if (after.remove(m.mechanismName()) == null) {
                    throw new ResourceNotFoundException("Attempt to delete a user credential that does not exist");
                }
            }
            upserts.forEach((m, c) -> after.put(m.mechanismName(), data(c)));
            return Optional.of(after);
        });
    }

    /**
     * Read-decide-write of {@code user}'s credentials by mechanism name: {@code decide} sees the current ones
     * and returns the new ones (empty: write nothing); a lost race decides again.
     *
     * @return whether something was written
     */
    private boolean write(
            String user,
            java.util.function.Function<Map<String, ScramCredentialData>, Optional<Map<String, ScramCredentialData>>>
                    decide) {
        if (user.isEmpty()) {
            throw new IllegalArgumentException("Username must not be empty");
        }
        ensureParents();
        String path = Znodes.userConfig(user);
        while (true) {
            Optional<Versioned<UserConfig>> current = store.read(path, UserConfig.parser());
            Map<String, ScramCredentialData> before =
                    current.map(v -> v.value().getScramCredentialsMap()).orElse(Map.of());
            Optional<Map<String, ScramCredentialData>> decided = decide.apply(before);
            if (decided.isEmpty()) {
                return false;
            }
            Map<String, ScramCredentialData> after = decided.get();
            // the user's quotas (ClientQuotaStore) share the znode: keep them, and whatever else is there
            UserConfig value = current.map(v -> v.value().toBuilder())
                    .orElseGet(UserConfig::newBuilder)
                    .clearScramCredentials()
                    .putAllScramCredentials(after)
                    .build();
            CuratorOp write;
            if (current.isEmpty()) {
                if (after.isEmpty()) {
                    return false;
                }
                write = store.createOp(path, value);
            } else if (value.equals(UserConfig.getDefaultInstance())
                    && store.children(path).isEmpty()) {
                // nothing left, no clients/ quotas below it (one created meanwhile fails the delete: decide again)
                write = store.deleteOp(path, current.get().version());
            } else {
                write = store.setOp(path, value, current.get().version());
            }
            ConfigChangeNotification notification = ConfigChangeNotification.newBuilder()
                    .setEntityPath(Znodes.USERS_ENTITY_TYPE + "/" + Sanitizer.sanitize(user))
                    .build();
            try {
                store.multi(List.of(write, store.createSequentialOp(Znodes.CONFIG_CHANGE_PREFIX, notification)));
            } catch (VersionConflictException lostRace) {
                continue; // changed meanwhile: decide again on what is there now
            }
            log.info("SCRAM credentials of user {}: {} (were {})", user, after.keySet(), before.keySet());
            return true;
        }
    }

    private void ensureParents() {
        if (!parentsExist) {
            store.ensureParents(); // the launcher may write before any broker created them
            parentsExist = true;
        }
    }

    private static Map<ScramMechanism, ScramCredential> credentials(UserConfig config) {
        Map<ScramMechanism, ScramCredential> out = new EnumMap<>(ScramMechanism.class);
        config.getScramCredentialsMap().forEach((name, d) -> {
            ScramMechanism m = ScramMechanism.forMechanismName(name);
            if (m != null) {
                out.put(
                        m,
                        new ScramCredential(
                                d.getSalt().toByteArray(),
                                d.getStoredKey().toByteArray(),
                                d.getServerKey().toByteArray(),
                                d.getIterations()));
            }
        });
        return out;
    }

    private static ScramCredentialData data(ScramCredential c) {
        return ScramCredentialData.newBuilder()
                .setSalt(ByteString.copyFrom(c.salt()))
                .setStoredKey(ByteString.copyFrom(c.storedKey()))
                .setServerKey(ByteString.copyFrom(c.serverKey()))
                .setIterations(c.iterations())
                .build();
    }
}
