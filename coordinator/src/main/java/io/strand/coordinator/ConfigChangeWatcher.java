package io.strand.coordinator;

import io.strand.coordinator.proto.ConfigChangeNotification;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.utils.internals.Sanitizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Kafka's config change notifications ({@code /config/changes/config_change_<seq>}, each
 * naming one changed entity such as {@code users/alice}, {@code clients/app} or {@code
 * users/alice/clients/app}) and tells its {@link Listener}, which
 * re-reads that entity. At start, and after a reconnection to ZooKeeper (notifications may have
 * come and gone meanwhile), the listener reloads everything instead. Notifications older than 15
 * minutes are deleted (on version 0: they are never changed), as Kafka's brokers do.
 *
 * <p>Threading: the listener is called on this watcher's own thread, one call at a time, in the
 * order ZooKeeper reported the changes; it may block on ZooKeeper. Because each call re-reads the
 * current state of what it names, a reload and a notification for the same entity in either order
 * leave the listener with ZooKeeper's latest state.
 */
public final class ConfigChangeWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigChangeWatcher.class);

    /** Kafka's {@code ZkNodeChangeNotificationListener} change expiration. */
    static final long NOTIFICATION_EXPIRY_MS = 15 * 60_000L;

    /** What a broker does when entity configs change. */
    public interface Listener {
        /** Everything may have changed (start, reconnection): re-read all entities. */
        void reloadAll();

        /** The config of one entity changed: re-read it. */
        void changed(String entityType, String entityName);

        /**
         * The config of an entity below another changed (Kafka's {@code users/<user>/clients/<client-id>}):
         * re-read it. Names are desanitized, as in {@link #changed(String, String)}. Ignored by default.
         */
        default void changed(String entityType, String entityName, String childType, String childName) {}
    }

    private final MetadataStore store;
    private final Listener listener;
    private final CuratorCache cache;
    private final ExecutorService thread;
    private final ConnectionStateListener reconnections;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final AtomicReference<RuntimeException> loadFailure = new AtomicReference<>();
    /** Set on the watcher's thread once the first full load ran; notifications before it are covered by it. */
    private boolean initialized;

    public ConfigChangeWatcher(MetadataStore store, Listener listener) {
        this.store = store;
        this.listener = listener;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strand-config-changes");
            t.setDaemon(true);
            return t;
        });
        this.cache = CuratorCache.build(store.curator(), Znodes.CONFIG_CHANGES);
        cache.listenable()
                .addListener(
                        CuratorCacheListener.builder()
                                .forCreates(this::created)
                                .forInitialized(this::initialized)
                                .build(),
                        thread);
        this.reconnections = (client, state) -> {
            if (state == ConnectionState.RECONNECTED && !thread.isShutdown()) {
                try {
                    thread.execute(this::reloadAll);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // closed meanwhile
                }
            }
        };
    }

    /** Starts watching and waits until the listener has loaded everything once. */
    public void start(long timeoutMs) {
        store.curator().getConnectionStateListenable().addListener(reconnections);
        cache.start();
        try {
            if (!loaded.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new MetadataStoreException("config changes were not loaded within " + timeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while loading configs", e);
        }
        RuntimeException failure = loadFailure.get();
        if (failure != null) {
            throw failure;
        }
    }

    private void initialized() {
        try {
            listener.reloadAll();
        } catch (RuntimeException e) {
            loadFailure.set(e);
        }
        initialized = true;
        loaded.countDown();
        purge(cache.stream().toList());
    }

    private void reloadAll() {
        if (!initialized) {
            return; // the first load is still to come
        }
        try {
            listener.reloadAll();
        } catch (RuntimeException e) {
            log.error("Could not reload configs after reconnecting to ZooKeeper", e);
        }
    }

    private void created(ChildData node) {
        if (!initialized || !node.getPath().startsWith(Znodes.CONFIG_CHANGE_PREFIX)) {
            return; // before the first load (which covers it), or the parent itself
        }
        try {
            ConfigChangeNotification n =
                    MetadataStore.decode(node.getPath(), node.getData(), ConfigChangeNotification.parser());
            String entityPath = n.getEntityPath();
            String[] parts = entityPath.split("/", -1);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                listener.changed(parts[0], Sanitizer.desanitize(parts[1]));
            } else if (parts.length == 4 && java.util.Arrays.stream(parts).noneMatch(String::isEmpty)) {
                listener.changed(parts[0], Sanitizer.desanitize(parts[1]), parts[2], Sanitizer.desanitize(parts[3]));
            } else {
                log.warn("Ignoring config change notification {} naming no entity: '{}'", node.getPath(), entityPath);
            }
        } catch (RuntimeException e) {
            log.error("Could not apply config change notification {}", node.getPath(), e);
        }
        purge(cache.stream().toList());
    }

    /** Deletes the notifications among {@code nodes} older than {@link #NOTIFICATION_EXPIRY_MS}. */
    private void purge(List<ChildData> nodes) {
        long now = System.currentTimeMillis();
        for (ChildData node : nodes) {
            if (node.getStat() == null
                    || !node.getPath().startsWith(Znodes.CONFIG_CHANGE_PREFIX)
                    || now - node.getStat().getCtime() < NOTIFICATION_EXPIRY_MS) {
                continue;
            }
            try {
                store.multi(
                        List.of(store.deleteOp(node.getPath(), node.getStat().getVersion())));
            } catch (VersionConflictException alreadyGone) {
                // another broker purged it first
            } catch (RuntimeException e) {
                log.warn(
                        "Could not delete the expired config change notification {}: {}", node.getPath(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        store.curator().getConnectionStateListenable().removeListener(reconnections);
        cache.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
