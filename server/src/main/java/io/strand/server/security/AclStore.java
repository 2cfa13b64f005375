package io.strand.server.security;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.AclChange;
import io.strand.coordinator.proto.AclEntryRecord;
import io.strand.coordinator.proto.ResourceAcls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.internals.SecurityUtils;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACLs in ZooKeeper, in Kafka's ZooKeeper-mode layout: the entries of a LITERAL pattern in
 * {@code /kafka-acl/<ResourceType>/<name>}, of a PREFIXED one in
 * {@code /kafka-acl-extended/prefixed/<ResourceType>/<name>} ({@code ResourceAcls}), and for every change
 * a sequential {@code acl_changes_<seq>} notification ({@code AclChange}) under {@code /kafka-acl-changes}
 * (literal) or {@code /kafka-acl-extended-changes} (prefixed), written in the same {@code multi} as the
 * change so that no change goes unannounced.
 *
 * <p>Writes are create-if-absent, set-if-version or delete-if-version; a lost race re-reads and decides
 * again ({@link #update}), so concurrent writers on different brokers never lose each other's entries.
 *
 * <p>Thread-safe; every call blocks on ZooKeeper.
 */
public final class AclStore {
    private static final Logger log = LoggerFactory.getLogger(AclStore.class);

    /** The resource types that have a directory under each ACL root (Kafka's {@code createAclPaths}). */
    static final List<ResourceType> RESOURCE_TYPES = List.of(
            ResourceType.TOPIC,
            ResourceType.GROUP,
            ResourceType.CLUSTER,
            ResourceType.TRANSACTIONAL_ID,
            ResourceType.DELEGATION_TOKEN,
            ResourceType.USER);

    private static final int MAX_ATTEMPTS = 50;

    private final MetadataStore store;

    public AclStore(MetadataStore store) {
        this.store = store;
    }

    /** Creates (if absent) the ACL roots, a directory per resource type under each, and the change roots. */
    public void ensurePaths() {
        for (String root : List.of(Znodes.KAFKA_ACL, Znodes.KAFKA_ACL_EXTENDED_PREFIXED)) {
            for (ResourceType type : RESOURCE_TYPES) {
                createRecursively(root + "/" + SecurityUtils.resourceTypeName(type));
            }
        }
        createRecursively(Znodes.KAFKA_ACL_CHANGES);
        createRecursively(Znodes.KAFKA_ACL_EXTENDED_CHANGES);
    }

    private void createRecursively(String path) {
        int from = 1;
        while (from > 0) {
            int slash = path.indexOf('/', from);
            String prefix = slash < 0 ? path : path.substring(0, slash);
            store.createIfAbsent(prefix, com.google.protobuf.Empty.getDefaultInstance(), CreateMode.PERSISTENT);
            from = slash < 0 ? -1 : slash + 1;
        }
    }

    /** The znode of {@code pattern}'s entries. */
    public static String path(ResourcePattern pattern) {
        return Znodes.acls(
                root(pattern.patternType()), SecurityUtils.resourceTypeName(pattern.resourceType()), pattern.name());
    }

    private static String root(PatternType type) {
        return switch (type) {
            case LITERAL -> Znodes.KAFKA_ACL;
            case PREFIXED -> Znodes.KAFKA_ACL_EXTENDED_PREFIXED;
            default ->
                throw new IllegalArgumentException("ACLs are stored for LITERAL and PREFIXED patterns, not " + type);
        };
    }

    /** The root of the change notifications of patterns of {@code type}. */
    public static String changesRoot(PatternType type) {
        return type == PatternType.PREFIXED ? Znodes.KAFKA_ACL_EXTENDED_CHANGES : Znodes.KAFKA_ACL_CHANGES;
    }

    /** The entries of {@code pattern} and the znode version read ({@link Versioned#NEW}: no znode). */
    public Versioned<Set<AccessControlEntry>> read(ResourcePattern pattern) {
        String path = path(pattern);
        return store.read(path, ResourceAcls.parser())
                .map(v -> new Versioned<>(decode(path, v.value()), v.version()))
                .orElse(new Versioned<>(Set.of(), Versioned.NEW));
    }

    /** What an {@link #update} changed: the entries before and after the write it made (equal: none made). */
    public record Change(Set<AccessControlEntry> before, Set<AccessControlEntry> after) {}

    /**
     * Reads {@code pattern}'s entries, asks {@code decide} for the new set, and writes it with a change
     * notification in one {@code multi}: create if the znode was absent, set on the version read, delete
     * on the version read when the new set is empty. A concurrent writer makes it re-read and decide again
     * from what that writer left; an unchanged set writes nothing.
     *
     * @throws MetadataStoreException if ZooKeeper fails, or the races are lost {@value #MAX_ATTEMPTS} times
     */
    public Change update(ResourcePattern pattern, UnaryOperator<Set<AccessControlEntry>> decide) {
        String path = path(pattern);
        for (int attempt = 1; ; attempt++) {
            Versioned<Set<AccessControlEntry>> current = read(pattern);
            Set<AccessControlEntry> next = Set.copyOf(decide.apply(new HashSet<>(current.value())));
            if (next.equals(current.value())) {
                return new Change(current.value(), current.value());
            }
            List<CuratorOp> ops = new ArrayList<>();
            if (next.isEmpty()) {
                ops.add(store.deleteOp(path, current.version()));
            } else if (current.version() == Versioned.NEW) {
                ops.add(store.createOp(path, encode(next)));
            } else {
                ops.add(store.setOp(path, encode(next), current.version()));
            }
            ops.add(notificationOp(pattern));
            try {
                store.multi(ops);
                return new Change(current.value(), next);
            } catch (VersionConflictException lostRace) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new MetadataStoreException(
                            "ACLs of " + pattern + ": lost " + attempt + " races in a row to other writers", lostRace);
                }
                log.debug("ACLs of {} changed while being written ({}); re-reading", pattern, lostRace.getMessage());
                backOff(attempt);
            }
        }
    }

    private static void backOff(int attempt) {
        if (attempt < 3) {
            return;
        }
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(5, 25));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while writing ACLs", e);
        }
    }

    private CuratorOp notificationOp(ResourcePattern pattern) {
        AclChange change = AclChange.newBuilder()
                .setResourceType(SecurityUtils.resourceTypeName(pattern.resourceType()))
                .setName(pattern.name())
                .setPatternType(pattern.patternType().name())
                .build();
        String path = changesRoot(pattern.patternType()) + "/" + Znodes.ACL_CHANGE_PREFIX;
        try {
            return store.curator()
                    .transactionOp()
                    .create()
                    .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(path, change.toByteArray());
        } catch (Exception e) {
            throw new MetadataStoreException("ZooKeeper: could not prepare create " + path + ": " + e, e);
        }
    }

    /** Every stored pattern with its entries (patterns under an unknown type directory are skipped, logged). */
    public Map<ResourcePattern, Set<AccessControlEntry>> loadAll() {
        Map<ResourcePattern, Set<AccessControlEntry>> all = new HashMap<>();
        for (PatternType patternType : List.of(PatternType.LITERAL, PatternType.PREFIXED)) {
            String root = root(patternType);
            for (String typeName : store.children(root)) {
                Optional<ResourceType> type = resourceType(typeName);
                if (type.isEmpty()) {
                    log.warn("Ignoring the ACLs under {}/{}: not a resource type", root, typeName);
                    continue;
                }
                for (String name : store.children(root + "/" + typeName)) {
                    ResourcePattern pattern = new ResourcePattern(type.get(), name, patternType);
                    Set<AccessControlEntry> entries = read(pattern).value();
                    if (!entries.isEmpty()) {
                        all.put(pattern, entries);
                    }
                }
            }
        }
        return all;
    }

    private static Optional<ResourceType> resourceType(String name) {
        try {
            ResourceType t = SecurityUtils.resourceType(name);
            return t == ResourceType.UNKNOWN || t == ResourceType.ANY ? Optional.empty() : Optional.of(t);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A change notification: its name ({@code acl_changes_<sequence>}) and sequence number. */
    public record Notification(String name, long sequence) {}

    /**
     * What a notification holds: the pattern it names (empty if it names nothing Strand knows), when it
     * was created and its znode version.
     */
    public record NotificationContent(Optional<ResourcePattern> pattern, long createdMs, int version) {}

    /**
     * The change notifications under {@code root}, oldest first; {@code watcher} fires once when the list
     * changes next.
     */
    public List<Notification> notifications(String root, CuratorWatcher watcher) {
        List<String> names;
        try {
            names = store.curator().getChildren().usingWatcher(watcher).forPath(root);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw new MetadataStoreException("ZooKeeper: could not list " + root + ": " + e, e);
        }
        List<Notification> out = new ArrayList<>();
        for (String name : names) {
            if (!name.startsWith(Znodes.ACL_CHANGE_PREFIX)) {
                continue;
            }
            long seq;
            try {
                seq = Long.parseLong(name.substring(Znodes.ACL_CHANGE_PREFIX.length()));
            } catch (NumberFormatException e) {
                continue;
            }
            out.add(new Notification(name, seq));
        }
        out.sort(java.util.Comparator.comparingLong(Notification::sequence));
        return out;
    }

    /** The content of notification {@code name} under {@code root}; empty if it is gone (cleaned up). */
    public Optional<NotificationContent> readNotification(String root, String name) {
        String path = root + "/" + name;
        Stat stat = new Stat();
        byte[] bytes;
        try {
            bytes = store.curator().getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new MetadataStoreException("ZooKeeper: could not read " + path + ": " + e, e);
        }
        Optional<ResourcePattern> pattern = Optional.empty();
        try {
            AclChange change = MetadataStore.decode(path, bytes, AclChange.parser());
            Optional<ResourceType> type = resourceType(change.getResourceType());
            PatternType patternType = PatternType.fromString(change.getPatternType());
            if (type.isPresent() && (patternType == PatternType.LITERAL || patternType == PatternType.PREFIXED)) {
                pattern = Optional.of(new ResourcePattern(type.get(), change.getName(), patternType));
            } else {
                log.warn("Ignoring the ACL change notification {}: it names no resource pattern ({})", path, change);
            }
        } catch (MetadataStoreException e) {
            log.warn("Ignoring the ACL change notification {}: {}", path, e.getMessage());
        }
        return Optional.of(new NotificationContent(pattern, stat.getCtime(), stat.getVersion()));
    }

    /** Deletes a notification on the version read; one already deleted (by another broker) is fine. */
    public void deleteNotification(String root, String name, int version) {
        try {
            store.multi(List.of(store.deleteOp(root + "/" + name, version)));
        } catch (VersionConflictException alreadyGone) {
            // another broker cleaned it up first
        }
    }

    private static ResourceAcls encode(Set<AccessControlEntry> entries) {
        ResourceAcls.Builder b = ResourceAcls.newBuilder();
        entries.stream()
                .sorted(java.util.Comparator.comparing(AccessControlEntry::toString))
                .forEach(e -> b.addAcls(AclEntryRecord.newBuilder()
                        .setPrincipal(e.principal())
                        .setHost(e.host())
                        .setOperation(SecurityUtils.operationName(e.operation()))
                        .setPermissionType(SecurityUtils.permissionTypeName(e.permissionType()))));
        return b.build();
    }

    private static Set<AccessControlEntry> decode(String path, ResourceAcls acls) {
        Set<AccessControlEntry> out = new HashSet<>();
        for (AclEntryRecord r : acls.getAclsList()) {
            try {
                SecurityUtils.parseKafkaPrincipal(r.getPrincipal());
                AccessControlEntry e = new AccessControlEntry(
                        r.getPrincipal(),
                        r.getHost(),
                        SecurityUtils.operation(r.getOperation()),
                        SecurityUtils.permissionType(r.getPermissionType()));
                if (e.isUnknown()) {
                    throw new IllegalArgumentException("unknown operation or permission type");
                }
                out.add(e);
            } catch (IllegalArgumentException e) {
                log.warn("Ignoring an ACL entry of {} that does not decode ({}): {}", path, e.getMessage(), r);
            }
        }
        return out;
    }
}
