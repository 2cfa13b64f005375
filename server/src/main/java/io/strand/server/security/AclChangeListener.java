package io.strand.server.security;

import io.strand.server.security.AclStore.Notification;
import io.strand.server.security.AclStore.NotificationContent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the ACL change notifications ({@code /kafka-acl-changes} and {@code /kafka-acl-extended-changes})
 * with a ZooKeeper children watch: each new {@code acl_changes_<seq>} hands the resource pattern it names
 * to {@code onChange} (which re-reads that pattern's ACLs), in sequence order. Notifications older than
 * {@link #EXPIRATION_MS} (15 minutes, as Kafka) are deleted while processing. After a reconnection (the
 * session may have expired and taken the watches with it) the watches are set again and
 * {@code onReconnect} reloads everything.
 *
 * <p>Every step runs on {@code updates}, the authorizer's single update thread, so notifications and the
 * authorizer's own writes apply in one order. {@link #start} must run on that thread too.
 */
final class AclChangeListener implements ConnectionStateListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AclChangeListener.class);

    /** How long a change notification stays before a broker deletes it (Kafka's 15 minutes). */
    static final long EXPIRATION_MS = 15 * 60 * 1000L;

    private static final List<String> ROOTS =
            List.of(AclStore.changesRoot(PatternType.LITERAL), AclStore.changesRoot(PatternType.PREFIXED));

    private final AclStore store;
    private final CuratorFramework zk;
    private final Executor updates;
    private final Consumer<ResourcePattern> onChange;
    private final Runnable onReconnect;
    /** The wall clock, in ms (compared with the notifications' creation times). */
    private final LongSupplier clockMs;
    /** Per root, the sequence number of the last notification processed. */
    private final Map<String, Long> lastProcessed = new ConcurrentHashMap<>();

    private volatile boolean closed;

    AclChangeListener(
            AclStore store,
            CuratorFramework zk,
            Executor updates,
            Consumer<ResourcePattern> onChange,
            Runnable onReconnect,
            LongSupplier clockMs) {
        this.store = store;
        this.zk = zk;
        this.updates = updates;
        this.onChange = onChange;
        this.onReconnect = onReconnect;
        this.clockMs = clockMs;
    }

    /**
     * Sets the watches and takes the notifications that exist now as processed: the caller loads every ACL
     * right after, which includes their changes. Later notifications are processed as they come.
     */
    void start() {
        for (String root : ROOTS) {
            List<Notification> existing = store.notifications(root, event -> onWatch(root, event));
            lastProcessed.put(
                    root,
                    existing.isEmpty() ? -1L : existing.get(existing.size() - 1).sequence());
            purge(root, existing);
        }
        zk.getConnectionStateListenable().addListener(this);
    }

    private void onWatch(String root, WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.None) {
            return; // a connection event: the watch stays; RECONNECTED reprocesses (stateChanged)
        }
        submit(() -> process(root));
    }

    private void submit(Runnable task) {
        if (closed) {
            return;
        }
        try {
            updates.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("Could not process the ACL change notifications: {}", e.toString(), e);
                }
            });
        } catch (RejectedExecutionException stopping) {
            // the authorizer is closing
        }
    }

    /** Re-arms the watch on {@code root} and applies every notification after the last one processed. */
    private void process(String root) {
        List<Notification> all = store.notifications(root, event -> onWatch(root, event));
        long last = lastProcessed.getOrDefault(root, -1L);
        for (Notification n : all) {
            if (n.sequence() <= last) {
                continue;
            }
            Optional<NotificationContent> content = store.readNotification(root, n.name());
            content.flatMap(NotificationContent::pattern).ifPresent(pattern -> {
                log.debug("ACL change notification {}/{}: {}", root, n.name(), pattern);
                onChange.accept(pattern);
            });
            last = n.sequence();
        }
        lastProcessed.put(root, last);
        purge(root, all);
    }

    /** Deletes the notifications older than {@link #EXPIRATION_MS}, oldest first, up to the first younger one. */
    private void purge(String root, List<Notification> all) {
        long now = clockMs.getAsLong();
        for (Notification n : all) {
            Optional<NotificationContent> content = store.readNotification(root, n.name());
            if (content.isEmpty()) {
                continue; // another broker deleted it
            }
            if (now - content.get().createdMs() < EXPIRATION_MS) {
                return;
            }
            store.deleteNotification(root, n.name(), content.get().version());
        }
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            submit(() -> {
                for (String root : ROOTS) {
                    process(root);
                }
                onReconnect.run();
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        zk.getConnectionStateListenable().removeListener(this);
    }
}
