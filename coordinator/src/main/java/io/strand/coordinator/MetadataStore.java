package io.strand.coordinator;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The only way Strand writes ZooKeeper. Reads return the decoded value with its znode version;
 * writes are create-if-absent, set-if-version, or an atomic {@code multi}. No method writes "any
 * version".
 *
 * <p>Failures: {@link VersionConflictException} when a compare-and-set or create-if-absent loses a
 * race (the caller re-reads and decides again); {@link MetadataStoreException} for everything else
 * (connection loss, session expiry, a payload that does not decode).
 *
 * <p>Thread-safe; every call blocks on ZooKeeper, so never call it from a network event loop.
 */
public final class MetadataStore {
    private final CuratorFramework zk;

    public MetadataStore(CuratorFramework zk) {
        this.zk = zk;
    }

    public CuratorFramework curator() {
        return zk;
    }

    /** Creates the persistent parents every broker relies on; a parent that exists is left alone. */
    public void ensureParents() {
        for (String path : Znodes.PERSISTENT_PARENTS) {
            try {
                zk.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
            } catch (KeeperException.NodeExistsException e) {
                // already there: exactly what we want
            } catch (Exception e) {
                throw failure("create " + path, e);
            }
        }
    }

    /** The decoded value and version of {@code path}, or empty if the znode does not exist. */
    public <T extends Message> Optional<Versioned<T>> read(String path, Parser<T> parser) {
        Stat stat = new Stat();
        byte[] bytes;
        try {
            bytes = zk.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw failure("read " + path, e);
        }
        return Optional.of(new Versioned<>(decode(path, bytes, parser), stat.getVersion()));
    }

    public boolean exists(String path) {
        try {
            return zk.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw failure("check " + path, e);
        }
    }

    /** Children names of {@code path}; empty if it does not exist. */
    public List<String> children(String path) {
        try {
            return zk.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw failure("list " + path, e);
        }
    }

    /**
     * Creates {@code path} holding {@code value} if it does not exist.
     *
     * @return true if this call created it, false if it already existed (nothing was written)
     */
    public boolean createIfAbsent(String path, Message value, CreateMode mode) {
        try {
            zk.create().withMode(mode).forPath(path, value.toByteArray());
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        } catch (Exception e) {
            throw failure("create " + path, e);
        }
    }

    /**
     * Replaces the value of {@code path} if its version is still {@code expectedVersion}.
     *
     * @return the new version
     * @throws VersionConflictException if the znode changed or vanished since it was read
     */
    public int setIfVersion(String path, Message value, int expectedVersion) {
        try {
            return zk.setData()
                    .withVersion(expectedVersion)
                    .forPath(path, value.toByteArray())
                    .getVersion();
        } catch (KeeperException.BadVersionException e) {
            throw new VersionConflictException(path, "version " + expectedVersion + " is no longer current", e);
        } catch (KeeperException.NoNodeException e) {
            throw new VersionConflictException(path, "the znode was deleted", e);
        } catch (Exception e) {
            throw failure("write " + path, e);
        }
    }

    /**
     * Read-decide-write loop: reads {@code path}, asks {@code decide} what the new value should be
     * (empty = leave it), and writes it with the version read. On a lost race it re-reads and asks
     * again, so every write is a decision on the value it replaces.
     *
     * @return the value in ZooKeeper after the call (written or left), or empty if the znode does not exist
     */
    public <T extends Message> Optional<Versioned<T>> update(
            String path, Parser<T> parser, Function<T, Optional<T>> decide) {
        while (true) {
            Optional<Versioned<T>> current = read(path, parser);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            Optional<T> next = decide.apply(current.get().value());
            if (next.isEmpty()) {
                return current;
            }
            try {
                int version = setIfVersion(path, next.get(), current.get().version());
                return Optional.of(new Versioned<>(next.get(), version));
            } catch (VersionConflictException lostRace) {
                // someone else wrote in between: decide again from what they wrote
            }
        }
    }

    /** Operations for {@link #multi}. */
    public CuratorOp createOp(String path, Message value) {
        return createOp(path, value.toByteArray());
    }

    public CuratorOp createOp(String path, byte[] value) {
        try {
            return zk.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, value);
        } catch (Exception e) {
            throw failure("prepare create " + path, e);
        }
    }

    /** Creates a persistent sequential znode: {@code pathPrefix} followed by ZooKeeper's 10-digit sequence. */
    public CuratorOp createSequentialOp(String pathPrefix, Message value) {
        try {
            return zk.transactionOp()
                    .create()
                    .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(pathPrefix, value.toByteArray());
        } catch (Exception e) {
            throw failure("prepare create " + pathPrefix, e);
        }
    }

    public CuratorOp createEphemeralOp(String path, Message value) {
        try {
            return zk.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(path, value.toByteArray());
        } catch (Exception e) {
            throw failure("prepare create " + path, e);
        }
    }

    public CuratorOp setOp(String path, Message value, int expectedVersion) {
        try {
            return zk.transactionOp().setData().withVersion(expectedVersion).forPath(path, value.toByteArray());
        } catch (Exception e) {
            throw failure("prepare write " + path, e);
        }
    }

    public CuratorOp checkOp(String path, int expectedVersion) {
        try {
            return zk.transactionOp().check().withVersion(expectedVersion).forPath(path);
        } catch (Exception e) {
            throw failure("prepare check " + path, e);
        }
    }

    public CuratorOp deleteOp(String path, int expectedVersion) {
        try {
            return zk.transactionOp().delete().withVersion(expectedVersion).forPath(path);
        } catch (Exception e) {
            throw failure("prepare delete " + path, e);
        }
    }

    /**
     * Runs {@code ops} atomically: all of them or none.
     *
     * @throws VersionConflictException if a check, a versioned write or a create-if-absent failed
     *     because of a concurrent writer, or a delete found children created meanwhile; {@link
     *     VersionConflictException#path()} names the operation that failed first
     * @throws TransactionTooLargeException if the transaction is larger than ZooKeeper takes in one request
     *     (nothing is sent)
     */
    public List<CuratorTransactionResult> multi(List<CuratorOp> ops) {
        TransactionTooLargeException.check(ops);
        try {
            return zk.transaction().forOperations(ops);
        } catch (KeeperException.NodeExistsException
                | KeeperException.BadVersionException
                | KeeperException.NoNodeException
                | KeeperException.NotEmptyException e) {
            String path = relative(firstFailedPath(e, ops));
            throw new VersionConflictException(path, e.code().name(), e);
        } catch (Exception e) {
            throw failure("multi of " + ops.size() + " operations", e);
        }
    }

    /**
     * As {@link #multi}, without waiting: several can be in flight on the session, which ZooKeeper
     * applies in the order sent and makes durable together (one log fsync for all that are queued).
     * The future fails with {@link VersionConflictException}, {@link TransactionTooLargeException} or
     * {@link MetadataStoreException} as {@link #multi} throws them; it completes on the ZooKeeper event thread, so do not block there.
     */
    public java.util.concurrent.CompletableFuture<List<CuratorTransactionResult>> multiAsync(List<CuratorOp> ops) {
        java.util.concurrent.CompletableFuture<List<CuratorTransactionResult>> f =
                new java.util.concurrent.CompletableFuture<>();
        try {
            TransactionTooLargeException.check(ops);
        } catch (TransactionTooLargeException e) {
            f.completeExceptionally(e);
            return f;
        }
        try {
            zk.transaction()
                    .inBackground((client, event) -> {
                        KeeperException.Code rc = KeeperException.Code.get(event.getResultCode());
                        if (rc == KeeperException.Code.OK) {
                            f.complete(event.getOpResults());
                        } else if (rc == KeeperException.Code.NODEEXISTS
                                || rc == KeeperException.Code.BADVERSION
                                || rc == KeeperException.Code.NONODE
                                || rc == KeeperException.Code.NOTEMPTY) {
                            f.completeExceptionally(new VersionConflictException(
                                    firstFailedPath(event.getOpResults()), rc.name(), null));
                        } else {
                            f.completeExceptionally(
                                    failure("multi of " + ops.size() + " operations", KeeperException.create(rc)));
                        }
                    })
                    .forOperations(ops);
        } catch (Exception e) {
            f.completeExceptionally(failure("multi of " + ops.size() + " operations", e));
        }
        return f;
    }

    private String firstFailedPath(List<CuratorTransactionResult> results) {
        if (results != null) {
            for (CuratorTransactionResult r : results) {
                if (r.getError() != KeeperException.Code.OK.intValue()
                        && r.getError() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return relative(r.getForPath());
                }
            }
        }
        return "?";
    }

    /** A path as Strand names it: without the chroot (Curator's namespace) that ZooKeeper reports. */
    private String relative(String path) {
        String ns = zk.getNamespace();
        if (ns == null || ns.isEmpty() || path == null) {
            return path;
        }
        String prefix = "/" + ns;
        if (path.equals(prefix)) {
            return "/";
        }
        return path.startsWith(prefix + "/") ? path.substring(prefix.length()) : path;
    }

    private static String firstFailedPath(KeeperException e, List<CuratorOp> ops) {
        List<org.apache.zookeeper.OpResult> results = e.getResults();
        if (results != null) {
            for (int i = 0; i < results.size() && i < ops.size(); i++) {
                if (results.get(i) instanceof org.apache.zookeeper.OpResult.ErrorResult err
                        && err.getErr() != KeeperException.Code.OK.intValue()
                        && err.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                    return ops.get(i).get().getPath();
                }
            }
        }
        return e.getPath() != null ? e.getPath() : "?";
    }

    /** Deletes {@code path} and everything below it; a missing node is not an error. */
    public void deleteRecursively(String path) {
        try {
            zk.delete().deletingChildrenIfNeeded().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // already gone
        } catch (Exception e) {
            throw failure("delete " + path, e);
        }
    }

    public static <T extends Message> T decode(String path, byte[] bytes, Parser<T> parser) {
        try {
            return parser.parseFrom(bytes == null ? new byte[0] : bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new MetadataStoreException("znode " + path + " does not hold a valid payload", e);
        }
    }

    private static MetadataStoreException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new MetadataStoreException("ZooKeeper: could not " + what + ": " + e, e);
    }
}
