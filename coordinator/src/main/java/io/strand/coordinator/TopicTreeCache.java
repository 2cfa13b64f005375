package io.strand.coordinator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /topics} subtree for the {@link MetadataCache}: every topic znode and partition state,
 * read in batched multi-reads (ZooKeeper 3.6+: one request reads up to {@value #READS_PER_MULTI}
 * znodes) rather than one request per znode, and then kept current through one persistent recursive
 * watch, the changed znodes again read in batches. With 100,000 partitions this is ~300 requests to
 * load instead of ~400,000 (a {@code CuratorCache} reads and lists every znode one by one).
 *
 * <p>Semantics are those of a {@code CuratorCache}: a created or changed znode is read after its event
 * and handed over with its data and stat; a deleted one is handed over at once. Every read is issued
 * and every result and event is handled on the ZooKeeper client's event thread, in the order ZooKeeper
 * sent them, and handed to the sink through {@link CuratorFramework#runSafe} (the single thread that
 * also runs the {@code CuratorCache} listeners), so the sink sees them in ZooKeeper's order. After a
 * reconnect the watch is set again and everything read again; topics and partitions that vanished
 * meanwhile are reported deleted.
 *
 * <p>Thread-safe: the mutable state is guarded by {@code this}.
 */
final class TopicTreeCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicTreeCache.class);
    /** Znodes per multi-read; a partition state's read result is ~120 bytes, far below jute.maxbuffer. */
    static final int READS_PER_MULTI = 500;
    /** Topics per multi-read of topic znodes and partition lists (a list of 1,000 partitions is ~5 KB). */
    private static final int TOPICS_PER_MULTI = 20;
    /** Batches of changed znodes read at once; more changes wait and are read together. */
    private static final int MAX_READS_IN_FLIGHT = 4;

    /** Where the znodes go (called on Curator's runSafe thread, in ZooKeeper's order). */
    interface Sink {
        void upsert(ChildData node);

        void delete(ChildData node);

        /** A full read finished: {@code topics} and their {@code partitions} are what ZooKeeper holds. */
        void loaded(Map<String, Set<Integer>> partitions);
    }

    private final CuratorFramework zk;
    private final Sink sink;
    private final PersistentWatcher watcher;
    /** Paths changed but not yet read. */
    private final ArrayDeque<String> pending = new ArrayDeque<>();

    private int readsInFlight;
    /** After close nothing more is read (replies and events still arriving are dropped). */
    private boolean closed;
    /** Requests of the current full read still outstanding; the read is complete at zero. */
    private int loading;
    /** Which full read is current (a reconnect starts a new one; replies to an older one are dropped). */
    private int generation;
    /** A request of the current full read failed (the connection went): the read after the reconnect counts. */
    private boolean generationFailed;

    /**
     * The topics and partitions the current full read found, or heard created meanwhile (so that the
     * end of the read does not take them for deleted); handed over, and dropped, when the read ends.
     */
    private Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();

    TopicTreeCache(CuratorFramework zk, Sink sink) {
        this.zk = zk;
        this.sink = sink;
        this.watcher = new PersistentWatcher(zk, Znodes.TOPICS, true);
        watcher.getListenable().addListener((Watcher) this::onEvent);
        watcher.getResetListenable().addListener(this::reload);
    }

    /** Sets the watch and starts the first full read; {@link Sink#loaded} says when it is done. */
    void start() {
        watcher.start();
    }

    // ---- full read, on the ZooKeeper event thread ----

    private synchronized void reload() {
        if (closed) {
            return;
        }
        int gen = ++generation;
        generationFailed = false;
        seen = new ConcurrentHashMap<>();
        loading = 1;
        try {
            listTopics(gen);
        } catch (Exception e) {
            log.warn("Could not list {}: {}", Znodes.TOPICS, e.toString());
        }
    }

    private void listTopics(int gen) throws Exception {
        zk.getChildren()
                .inBackground((client, event) -> {
                    List<String> names = event.getResultCode() == KeeperException.Code.OK.intValue()
                            ? event.getChildren()
                            : List.of();
                    if (event.getResultCode() != KeeperException.Code.OK.intValue()
                            && event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
                        log.warn(
                                "Could not list {}: {}",
                                Znodes.TOPICS,
                                KeeperException.Code.get(event.getResultCode()));
                        return; // the connection is gone: the watch is reset and everything read again
                    }
                    readTopics(gen, names);
                })
                .forPath(Znodes.TOPICS);
    }

    private synchronized void readTopics(int gen, List<String> names) {
        if (gen != generation || closed) {
            return;
        }
        for (int from = 0; from < names.size(); from += TOPICS_PER_MULTI) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + TOPICS_PER_MULTI));
            List<Op> ops = new ArrayList<>(batch.size() * 2);
            for (String t : batch) {
                ops.add(Op.getData(absolute(Znodes.topic(t))));
                ops.add(Op.getChildren(absolute(Znodes.partitions(t))));
            }
            List<String> topics = List.copyOf(batch);
            loading++;
            multiRead(ops, results -> onTopics(gen, topics, results));
        }
        loadStepDone(gen);
    }

    private synchronized void onTopics(int gen, List<String> topics, List<OpResult> results) {
        if (gen != generation || closed) {
            return;
        }
        if (results == null) {
            generationFailed = true;
            loadStepDone(gen);
            return;
        }
        List<String> states = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
            String t = topics.get(i);
            if (results.get(2 * i) instanceof OpResult.GetDataResult data) {
                hand(s -> s.upsert(new ChildData(Znodes.topic(t), data.getStat(), data.getData())));
                Set<Integer> partitions = seen.computeIfAbsent(t, k -> ConcurrentHashMap.newKeySet());
                if (results.get(2 * i + 1) instanceof OpResult.GetChildrenResult children) {
                    for (String p : children.getChildren()) {
                        try {
                            partitions.add(Integer.parseInt(p));
                            states.add(Znodes.partitionState(t, Integer.parseInt(p)));
                        } catch (NumberFormatException e) {
                            log.warn("Ignoring {}/{}: not a partition number", Znodes.partitions(t), p);
                        }
                    }
                }
            }
        }
        for (int from = 0; from < states.size(); from += READS_PER_MULTI) {
            List<String> batch = List.copyOf(states.subList(from, Math.min(states.size(), from + READS_PER_MULTI)));
            loading++;
            readData(batch, ok -> {
                synchronized (this) {
                    if (!ok && gen == generation) {
                        generationFailed = true;
                    }
                    loadStepDone(gen);
                }
            });
        }
        loadStepDone(gen);
    }

    private synchronized void loadStepDone(int gen) {
        if (gen == generation && --loading == 0 && !generationFailed) {
            Map<String, Set<Integer>> found = seen;
            seen = new ConcurrentHashMap<>();
            hand(s -> s.loaded(found));
        }
    }

    // ---- changes, on the ZooKeeper event thread ----

    private synchronized void onEvent(WatchedEvent event) {
        String path = event.getPath();
        if (closed || path == null || !relevant(path)) {
            return;
        }
        switch (event.getType()) {
            case NodeCreated, NodeDataChanged -> {
                if (loading > 0) {
                    String[] parts = path.substring(1).split("/");
                    Set<Integer> partitions = seen.computeIfAbsent(parts[1], k -> ConcurrentHashMap.newKeySet());
                    if (parts.length == 5) {
                        partitions.add(Integer.parseInt(parts[3]));
                    }
                }
                pending.add(path);
                readPending();
            }
            case NodeDeleted -> {
                // reads issued before the deletion are answered before this event, in ZooKeeper's order
                hand(s -> s.delete(new ChildData(path, null, null)));
            }
            default -> {}
        }
    }

    private void readPending() {
        while (!closed && !pending.isEmpty() && readsInFlight < MAX_READS_IN_FLIGHT) {
            List<String> batch = new ArrayList<>();
            Set<String> inBatch = new HashSet<>();
            while (!pending.isEmpty() && batch.size() < READS_PER_MULTI) {
                String p = pending.poll();
                if (inBatch.add(p)) {
                    batch.add(p);
                }
            }
            readsInFlight++;
            readData(batch, ok -> {
                synchronized (this) {
                    readsInFlight--;
                    readPending();
                }
            });
        }
    }

    /** Reads {@code paths} in one multi-read, hands each existing znode over, then tells {@code done} if it worked. */
    private void readData(List<String> paths, Consumer<Boolean> done) {
        List<Op> ops = new ArrayList<>(paths.size());
        paths.forEach(p -> ops.add(Op.getData(absolute(p))));
        multiRead(ops, results -> {
            if (results != null) {
                for (int i = 0; i < paths.size(); i++) {
                    String path = paths.get(i);
                    if (results.get(i) instanceof OpResult.GetDataResult data) {
                        hand(s -> s.upsert(new ChildData(path, data.getStat(), data.getData())));
                    }
                    // a read error is NoNode: the deletion event follows (or came) in order
                }
            }
            done.accept(results != null);
        });
    }

    /** Runs {@code ops} (reads only) as one request; {@code onResults} gets null if the request failed. */
    private void multiRead(List<Op> ops, Consumer<List<OpResult>> onResults) {
        try {
            zk.getZookeeperClient()
                    .getZooKeeper()
                    .multi(
                            ops,
                            (rc, path, ctx, results) -> {
                                if (results == null || results.size() != ops.size()) {
                                    log.warn(
                                            "A batched read of {} znodes failed: {}",
                                            ops.size(),
                                            KeeperException.Code.get(rc));
                                    onResults.accept(null);
                                } else {
                                    onResults.accept(results);
                                }
                            },
                            null);
        } catch (Exception e) {
            log.warn("Could not send a batched read of {} znodes: {}", ops.size(), e.toString());
            onResults.accept(null);
        }
    }

    private void hand(Consumer<Sink> call) {
        zk.runSafe(() -> call.accept(sink));
    }

    private String absolute(String path) {
        return ZKPaths.fixForNamespace(zk.getNamespace(), path);
    }

    /** The znodes the metadata cache reads: topic znodes and partition states. */
    private static boolean relevant(String path) {
        String[] parts = path.substring(1).split("/");
        return parts.length == 2 || (parts.length == 5 && parts[2].equals("partitions") && parts[4].equals("state"));
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            pending.clear();
        }
        watcher.close();
    }
}
