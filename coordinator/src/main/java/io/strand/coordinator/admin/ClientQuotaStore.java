package io.strand.coordinator.admin;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.ClientQuotaConfig;
import io.strand.coordinator.proto.ConfigChangeNotification;
import io.strand.coordinator.proto.UserConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.utils.internals.Sanitizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client quotas (KIP-55) of users, client ids and users' client ids in ZooKeeper, at Kafka's
 * ZooKeeper-mode paths: {@code /config/users/<user>} (the {@code quotas} of {@code UserConfig}, the
 * znode that also holds the user's SCRAM credentials), {@code /config/users/<user>/clients/<client-id>}
 * and {@code /config/clients/<client-id>} ({@code ClientQuotaConfig}); names sanitized as Kafka's
 * {@code Sanitizer} does, {@code <default>} for the default entity. An entity is Kafka's {@link
 * ClientQuotaEntity}: {@code user} and/or {@code client-id}, a {@code null} name meaning the default.
 *
 * <p>Every write reads, decides and writes on the version read: create-if-absent, CAS, or a delete
 * of what holds nothing any more, in one {@code multi} with a {@code /config/changes} notification
 * ({@code users/<user>}, {@code clients/<id>} or {@code users/<user>/clients/<id>}, Kafka's entity
 * paths) so every broker re-reads the entity. A user znode keeps its credentials when its quotas
 * change; the empty parents of a user's client-id quotas are created, and deleted with their last
 * child, in the same {@code multi}. A lost race re-reads and decides again.
 *
 * <p>Thread-safe; blocks on ZooKeeper (never call from a network event loop).
 */
public final class ClientQuotaStore {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotaStore.class);

    private final MetadataStore store;
    private volatile boolean parentsExist;

    public ClientQuotaStore(MetadataStore store) {
        this.store = store;
    }

    /** One entity's place in ZooKeeper: its sanitized user and client-id parts (null: not part of it). */
    private record Target(String user, String clientId) {
        static Target of(ClientQuotaEntity entity) {
            Map<String, String> e = entity.entries();
            for (String type : e.keySet()) {
                if (!type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)) {
                    throw new IllegalArgumentException("Not a user or client-id quota entity: " + entity);
                }
            }
            if (e.isEmpty()) {
                throw new IllegalArgumentException("Empty quota entity");
            }
            return new Target(
                    e.containsKey(ClientQuotaEntity.USER) ? sanitize(e.get(ClientQuotaEntity.USER)) : null,
                    e.containsKey(ClientQuotaEntity.CLIENT_ID) ? sanitize(e.get(ClientQuotaEntity.CLIENT_ID)) : null);
        }

        String path() {
            if (clientId == null) {
                return Znodes.CONFIG_USERS + "/" + user;
            }
            return user == null ? Znodes.clientQuotaConfig(clientId) : Znodes.userClientsConfig(user) + "/" + clientId;
        }

        String entityPath() {
            if (clientId == null) {
                return Znodes.USERS_ENTITY_TYPE + "/" + user;
            }
            String client = Znodes.CLIENTS_ENTITY_TYPE + "/" + clientId;
            return user == null ? client : Znodes.USERS_ENTITY_TYPE + "/" + user + "/" + client;
        }
    }

    /** A name as it appears in a path: sanitized, or {@code <default>} for the default ({@code null}). */
    static String sanitize(String name) {
        if (name != null && name.isEmpty()) {
            throw new IllegalArgumentException("An empty name is not a quota entity");
        }
        return name == null ? Znodes.DEFAULT_QUOTA_ENTITY : Sanitizer.sanitize(name);
    }

    /** The name of a path segment: {@code null} for {@code <default>}. */
    static String desanitize(String segment) {
        return segment.equals(Znodes.DEFAULT_QUOTA_ENTITY) ? null : Sanitizer.desanitize(segment);
    }

    private static ClientQuotaEntity entityFromPath(String sanitizedUser, String sanitizedClientId) {
        Map<String, String> e = new HashMap<>();
        if (sanitizedUser != null) {
            e.put(ClientQuotaEntity.USER, desanitize(sanitizedUser));
        }
        if (sanitizedClientId != null) {
            e.put(ClientQuotaEntity.CLIENT_ID, desanitize(sanitizedClientId));
        }
        return new ClientQuotaEntity(e);
    }

    /** {@code entity}'s quotas by name ({@code producer_byte_rate}...); empty if it has none. */
    public Map<String, Double> describe(ClientQuotaEntity entity) {
        Target t = Target.of(entity);
        return new TreeMap<>(read(t).map(Versioned::value).orElse(Map.of()));
    }

    /** Every entity with at least one quota. */
    public Map<ClientQuotaEntity, Map<String, Double>> describeAll() {
        Map<ClientQuotaEntity, Map<String, Double>> out = new LinkedHashMap<>();
        for (String user : store.children(Znodes.CONFIG_USERS)) {
            collect(out, new Target(user, null));
            for (String client : store.children(Znodes.userClientsConfig(user))) {
                collect(out, new Target(user, client));
            }
        }
        for (String client : store.children(Znodes.CONFIG_CLIENTS)) {
            collect(out, new Target(null, client));
        }
        return out;
    }

    private void collect(Map<ClientQuotaEntity, Map<String, Double>> out, Target t) {
        Optional<Versioned<Map<String, Double>>> read;
        try {
            read = read(t);
        } catch (io.strand.coordinator.MetadataStoreException e) {
            if (!(e.getCause() instanceof com.google.protobuf.InvalidProtocolBufferException)) {
                throw e;
            }
            // one unreadable znode (written by hand, or by another tool) costs that entity only
            log.error("Skipping the client quotas at {}: {}", t.path(), e.getMessage());
            return;
        }
        read.map(Versioned::value)
                .filter(q -> !q.isEmpty())
                .ifPresent(q -> out.put(entityFromPath(t.user(), t.clientId()), new TreeMap<>(q)));
    }

    /** The quotas at {@code t}'s znode with its version; empty if it does not exist. */
    private Optional<Versioned<Map<String, Double>>> read(Target t) {
        if (t.clientId() == null) {
            return store.read(t.path(), UserConfig.parser())
                    .map(v -> new Versioned<>(v.value().getQuotasMap(), v.version()));
        }
        return store.read(t.path(), ClientQuotaConfig.parser())
                .map(v -> new Versioned<>(v.value().getQuotasMap(), v.version()));
    }

    /**
     * Applies {@code changes} to {@code entity}'s quotas in one write: a value sets that quota, {@code null}
     * removes it. Nothing is written when nothing changes.
     *
     * @return whether something was written
     * @throws IllegalArgumentException for an entity that is not a user, a client id or both, or an empty name
     */
    public boolean alter(ClientQuotaEntity entity, Map<String, Double> changes) {
        Target t = Target.of(entity);
        ensureParents();
        while (true) {
            List<CuratorOp> ops = new ArrayList<>();
            Map<String, Double> before;
            Map<String, Double> after;
            if (t.clientId() == null) {
                Optional<Versioned<UserConfig>> current = store.read(t.path(), UserConfig.parser());
                before = current.map(v -> v.value().getQuotasMap()).orElse(Map.of());
                after = apply(before, changes);
                if (after.equals(before)) {
                    return false;
                }
                // the user's SCRAM credentials share the znode: keep them
                UserConfig value = current.map(v -> v.value().toBuilder())
                        .orElseGet(UserConfig::newBuilder)
                        .clearQuotas()
                        .putAllQuotas(after)
                        .build();
                if (current.isEmpty()) {
                    ops.add(store.createOp(t.path(), value));
                } else if (value.equals(UserConfig.getDefaultInstance())
                        && store.children(t.path()).isEmpty()) {
                    ops.add(store.deleteOp(t.path(), current.get().version()));
                } else {
                    ops.add(store.setOp(t.path(), value, current.get().version()));
                }
            } else {
                Optional<Versioned<ClientQuotaConfig>> current = store.read(t.path(), ClientQuotaConfig.parser());
                before = current.map(v -> v.value().getQuotasMap()).orElse(Map.of());
                after = apply(before, changes);
                if (after.equals(before)) {
                    return false;
                }
                ClientQuotaConfig value = current.map(v -> v.value().toBuilder())
                        .orElseGet(ClientQuotaConfig::newBuilder)
                        .clearQuotas()
                        .putAllQuotas(after)
                        .build();
                if (current.isEmpty()) {
                    if (t.user() != null) {
                        ops.addAll(createParentsOps(t.user()));
                    }
                    ops.add(store.createOp(t.path(), value));
                } else if (after.isEmpty()) {
                    ops.add(store.deleteOp(t.path(), current.get().version()));
                    if (t.user() != null) {
                        ops.addAll(deleteEmptyParentsOps(t.user(), t.clientId()));
                    }
                } else {
                    ops.add(store.setOp(t.path(), value, current.get().version()));
                }
            }
            ops.add(store.createSequentialOp(
                    Znodes.CONFIG_CHANGE_PREFIX,
                    ConfigChangeNotification.newBuilder()
                            .setEntityPath(t.entityPath())
                            .build()));
            try {
                store.multi(ops);
            } catch (VersionConflictException lostRace) {
                continue; // changed meanwhile: decide again on what is there now
            }
            log.info("Client quotas of {}: {} (were {})", t.entityPath(), after, before);
            return true;
        }
    }

    /** Creates {@code /config/users/<user>} (empty) and its {@code clients} child where they are missing. */
    private List<CuratorOp> createParentsOps(String user) {
        List<CuratorOp> ops = new ArrayList<>();
        String userPath = Znodes.CONFIG_USERS + "/" + user;
        if (!store.exists(userPath)) {
            ops.add(store.createOp(userPath, UserConfig.getDefaultInstance()));
        }
        String clients = Znodes.userClientsConfig(user);
        if (!store.exists(clients)) {
            ops.add(store.createOp(clients, new byte[0]));
        }
        return ops;
    }

    /**
     * Deletes {@code /config/users/<user>/clients} when {@code client} is its only child, and then the user znode
     * too when it holds nothing (no credentials, no quotas) and has no other child, each on the version read.
     */
    private List<CuratorOp> deleteEmptyParentsOps(String user, String client) {
        List<CuratorOp> ops = new ArrayList<>();
        String clients = Znodes.userClientsConfig(user);
        if (!store.children(clients).equals(List.of(client))) {
            return ops;
        }
        Optional<Versioned<ClientQuotaConfig>> parent = store.read(clients, ClientQuotaConfig.parser());
        if (parent.isEmpty()) {
            return ops;
        }
        ops.add(store.deleteOp(clients, parent.get().version()));
        String userPath = Znodes.CONFIG_USERS + "/" + user;
        Optional<Versioned<UserConfig>> userConfig = store.read(userPath, UserConfig.parser());
        if (userConfig.isPresent()
                && userConfig.get().value().equals(UserConfig.getDefaultInstance())
                && store.children(userPath).equals(List.of(Znodes.CLIENTS_ENTITY_TYPE))) {
            ops.add(store.deleteOp(userPath, userConfig.get().version()));
        }
        return ops;
    }

    private static Map<String, Double> apply(Map<String, Double> before, Map<String, Double> changes) {
        Map<String, Double> after = new TreeMap<>(before);
        changes.forEach((key, value) -> {
            if (value == null) {
                after.remove(key);
            } else {
                after.put(key, value);
            }
        });
        return after;
    }

    private void ensureParents() {
        if (!parentsExist) {
            store.ensureParents(); // kafka-configs may run before any broker of a new cluster created them
            parentsExist = true;
        }
    }
}
