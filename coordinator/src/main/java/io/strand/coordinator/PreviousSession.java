package io.strand.coordinator;

import io.strand.coordinator.security.ZooKeeperClientOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.client.StaticHostProvider;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper session this broker process registered with, kept in each of its log directories
 * (file {@code zk-session}: session id and password, readable by the owner only), so that the next
 * process of the same broker can end a session that a {@code kill -9} left open instead of waiting
 * for ZooKeeper to expire it. Ending it removes every ephemeral znode the dead process held (its
 * registration, {@code /controller} if it was the controller) at once, as an expiry would.
 *
 * <p>Safe because the caller holds the log directories' locks ({@code .lock}): whoever wrote the file
 * held them too, so that process has ended, and the session is a ghost. The session is only ended if
 * it still owns this broker's registration.
 *
 * <p>Thread-safety: {@link #save} may run on the registration thread while the broker runs; {@link
 * #endIfStillOpen} runs once at start, before the broker registers.
 */
public final class PreviousSession {
    private static final Logger log = LoggerFactory.getLogger(PreviousSession.class);
    static final String FILE = "zk-session";

    /** A saved session: its id and password. */
    record Saved(long sessionId, byte[] password) {}

    private final List<Path> dirs;

    public PreviousSession(List<Path> logDirs) {
        this.dirs = List.copyOf(logDirs);
    }

    /** Records the session that {@code zk} holds now, in every log directory. */
    public void save(CuratorFramework zk) {
        ZooKeeper handle;
        try {
            handle = zk.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            log.warn("Cannot record the ZooKeeper session: {}", e.toString());
            return;
        }
        String text = Long.toHexString(handle.getSessionId()) + "\n"
                + Base64.getEncoder().encodeToString(handle.getSessionPasswd()) + "\n";
        for (Path d : dirs) {
            Path file = d.resolve(FILE);
            Path tmp = d.resolve(FILE + ".tmp");
            try {
                Files.deleteIfExists(tmp);
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, text, StandardCharsets.US_ASCII);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("Cannot record the ZooKeeper session in {}: {}", file, e.toString());
            }
        }
    }

    /** The session recorded by the previous process, if a log directory holds a readable one. */
    Optional<Saved> load() {
        for (Path d : dirs) {
            Path file = d.resolve(FILE);
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
                if (lines.size() >= 2) {
                    return Optional.of(new Saved(
                            Long.parseUnsignedLong(lines.get(0).trim(), 16),
                            Base64.getDecoder().decode(lines.get(1).trim())));
                }
                log.warn("Ignoring {}: not a recorded session", file);
            } catch (NoSuchFileException e) {
                // none recorded here
            } catch (IOException | IllegalArgumentException e) {
                log.warn("Ignoring {}: {}", file, e.toString());
            }
        }
        return Optional.empty();
    }

    /**
     * Ends the recorded session if it is still open: it still holds {@code registrationPath} (the
     * previous process died before ZooKeeper noticed), or it holds nothing any more because another
     * broker removed its registration ({@link GoneBrokerDetector}) but has not expired yet. A
     * registration held by another session is left alone. Returns whether it ended one.
     *
     * @param connectString ZooKeeper's hosts (without chroot: a session is not bound to a path)
     */
    public boolean endIfStillOpen(CuratorFramework zk, String connectString, String registrationPath, int timeoutMs) {
        return endIfStillOpen(zk, connectString, registrationPath, timeoutMs, ZooKeeperClientOptions.NONE);
    }

    /**
     * As {@link #endIfStillOpen(CuratorFramework, String, String, int)}, attaching to the session
     * with the connection settings (TLS) of {@code options}, as the broker's own client connects.
     */
    public boolean endIfStillOpen(
            CuratorFramework zk,
            String connectString,
            String registrationPath,
            int timeoutMs,
            ZooKeeperClientOptions options) {
        Optional<Saved> saved = load();
        if (saved.isEmpty()) {
            return false;
        }
        long id = saved.get().sessionId();
        Stat stat;
        try {
            stat = zk.checkExists().forPath(registrationPath);
        } catch (Exception e) {
            throw new MetadataStoreException("could not read " + registrationPath + ": " + e, e);
        }
        if (stat != null && stat.getEphemeralOwner() != id) {
            return false;
        }
        boolean ended = end(connectString, saved.get(), timeoutMs, options.zkClientConfig());
        if (ended) {
            log.info(
                    "Session 0x{} of this broker's previous process was still open{} although that process has"
                            + " ended (this process holds its log directories): ended it",
                    Long.toHexString(id),
                    stat != null ? " and held " + registrationPath : "");
        }
        return ended;
    }

    /** Deletes the recorded session (a clean shutdown closed it): the next start has nothing to end. */
    public void forget() {
        for (Path d : dirs) {
            try {
                Files.deleteIfExists(d.resolve(FILE));
            } catch (IOException e) {
                log.debug("Could not delete {}: {}", d.resolve(FILE), e.toString());
            }
        }
    }

    /**
     * After {@link #endIfStillOpen} ended a session, before this process loads its roles: waits until
     * no partition names this broker leader any more, i.e. until the controller has moved the
     * leaderships of the previous process (a new leader, or offline, at a new leader epoch), so that
     * this process never leads at an epoch the dead one led at. Returns at once when nothing names it
     * leader or no other broker is registered (nobody could move them); gives up after {@code
     * timeoutMs}, saying so.
     */
    public static void awaitLeadershipsMoved(CuratorFramework zk, int brokerId, long timeoutMs) {
        long started = System.nanoTime();
        try (MetadataCache cache = new MetadataCache(zk)) {
            cache.start(timeoutMs);
            long led = ledBy(cache, brokerId);
            if (led == 0 || noOtherBroker(cache, brokerId)) {
                return;
            }
            log.info(
                    "{} partitions still name broker {} leader: waiting for the controller to move them",
                    led,
                    brokerId);
            cache.awaitCondition(() -> ledBy(cache, brokerId) == 0 || noOtherBroker(cache, brokerId))
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            log.info(
                    "The controller moved the leaderships of broker {}'s previous process in {} ms",
                    brokerId,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("Partitions still name broker {} as leader after {} ms; registering anyway", brokerId, timeoutMs);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new MetadataStoreException("waiting for the controller failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while waiting for the controller", e);
        }
    }

    private static boolean noOtherBroker(MetadataCache cache, int brokerId) {
        return cache.liveBrokers().keySet().stream().allMatch(id -> id == brokerId);
    }

    private static long ledBy(MetadataCache cache, int brokerId) {
        return cache.topics().stream()
                .flatMap(t -> t.partitionsSnapshot().stream())
                .filter(p -> p.leader() == brokerId)
                .count();
    }

    /**
     * Attaches to the session and closes it, which ends it on the server at once. Returns whether it
     * was still open (false: ZooKeeper answered that it had expired or been closed).
     */
    private static boolean end(String connectString, Saved s, int timeoutMs, ZKClientConfig clientConfig) {
        CountDownLatch answered = new CountDownLatch(1);
        AtomicBoolean open = new AtomicBoolean();
        ZooKeeper twin;
        try {
            twin = new ZooKeeper(
                    connectString,
                    timeoutMs,
                    event -> {
                        if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                            open.set(true);
                            answered.countDown();
                        } else if (event.getState() == Watcher.Event.KeeperState.Expired) {
                            answered.countDown();
                        }
                    },
                    s.sessionId(),
                    s.password(),
                    false,
                    new StaticHostProvider(new ConnectStringParser(connectString).getServerAddresses()),
                    clientConfig == null ? new ZKClientConfig() : clientConfig);
        } catch (IOException e) {
            throw new MetadataStoreException("could not connect to ZooKeeper at " + connectString + ": " + e, e);
        }
        try {
            if (!answered.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new MetadataStoreException("could not reach session 0x" + Long.toHexString(s.sessionId())
                        + " within " + timeoutMs + " ms to end it");
            }
            return open.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while ending a previous session", e);
        } finally {
            try {
                twin.close(); // closing any handle of a session ends it on the server
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
