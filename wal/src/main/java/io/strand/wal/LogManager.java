package io.strand.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All partition logs of one broker, in one or more log directories ({@code log.dirs}), each partition in
 * {@code <dir>/<topic>-<partition>}. Loads them at {@link #startup()} (recovering those without a clean-shutdown
 * marker), runs retention, time-based flushes and checkpoints on a scheduler, and shares a small pool of
 * group-commit flusher threads between all logs.
 *
 * <p>An I/O error in any log takes its whole log directory offline (as Kafka does): every log in it stops, new logs
 * go to the other directories, and {@link LogDirListener}s hear of it; so do they when a directory goes below its
 * free-space floor or back above it. A periodic check (every {@value #DIR_CHECK_INTERVAL_MS} ms) measures the
 * free space and takes a directory that vanished or stopped being a directory offline.
 *
 * <p>Thread-safe. Creation and deletion of one partition's log are serialised (per partition); everything else is
 * per log.
 */
public final class LogManager implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    private static final Pattern PARTITION_DIR = Pattern.compile("^(.+)-(\\d+)$");
    static final String DELETE_DIR_SUFFIX = "-delete";
    static final long DIR_CHECK_INTERVAL_MS = 1000;

    private final List<Path> logDirs;
    private final LogConfig defaults;
    private final LogManagerConfig settings;
    private final LogRuntime runtime;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    private final ConcurrentHashMap<TopicPartition, Object> partitionLocks = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final LogDirFailures failures = new LogDirFailures();
    private final List<LogDirListener> dirListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile boolean closed;
    /** Held from startup to close. */
    private volatile LogDirLocks dirLocks;
    /** The write-ahead journal of each online log directory, when enabled. */
    private final LogDirJournals journals;

    public LogManager(List<Path> logDirs, LogConfig defaults) {
        this(logDirs, defaults, LogManagerConfig.defaults());
    }

    public LogManager(List<Path> logDirs, LogConfig defaults, LogManagerConfig settings) {
        if (logDirs.isEmpty()) throw new IllegalArgumentException("log.dirs is empty");
        this.logDirs = List.copyOf(logDirs);
        this.defaults = Objects.requireNonNull(defaults);
        this.settings = Objects.requireNonNull(settings);
        this.runtime = new LogRuntime(
                settings.time(),
                settings.flusherThreads(),
                settings.fileDeleteDelayMs(),
                new FreeSpaceGuard(freeBytesFloor(settings), settings.freePercentMin()),
                "strand-wal");
        this.journals = new LogDirJournals(settings.journal(), runtime, logs::values);
        runtime.onIoError((dir, e) -> takeLogDirOffline(dir, e.getMessage()));
        runtime.space.onChange(this::notifyDirListeners);
    }

    /**
     * {@code log.dir.free.bytes.min}, raised to the journal's file size when the floor is on and the journal too:
     * appends stop while the journal's next file still fits, so that the disk filling up refuses appends rather
     * than failing the journal (which would take the directory offline).
     */
    static long freeBytesFloor(LogManagerConfig settings) {
        long floor = settings.freeBytesMin();
        boolean on = floor > 0 || settings.freePercentMin() > 0;
        if (on && settings.journal().enabled() && floor < settings.journal().fileBytes()) {
            log.info(
                    "log.dir.free.bytes.min {} is below strand.wal.journal.file.bytes: the floor is {} bytes, room for"
                            + " the journal's next file",
                    floor,
                    settings.journal().fileBytes());
            return settings.journal().fileBytes();
        }
        return floor;
    }

    /**
     * Hears how long each fsync pass of a log took, in nanoseconds (Kafka's LogFlushStats); called on a
     * flusher thread, must not block. One listener: a later call replaces it.
     */
    public void onFlush(java.util.function.LongConsumer nanos) {
        runtime.onFlush(nanos);
    }

    /** Hears of log directories going offline, below their free-space floor, or back above it. */
    public void addLogDirListener(LogDirListener listener) {
        dirListeners.add(listener);
    }

    private void notifyDirListeners() {
        for (LogDirListener l : dirListeners) {
            try {
                l.onLogDirsChanged();
            } catch (RuntimeException e) {
                log.error("Log directory listener failed", e);
            }
        }
    }

    public LogConfig defaults() {
        return defaults;
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    /** The log directories below their free-space floor when last measured (appends to them are refused). */
    public List<Path> logDirsBelowFreeSpaceFloor() {
        return logDirs.stream()
                .filter(d -> !failures.isOffline(d) && runtime.space.below(d))
                .toList();
    }

    /** The log directories taken offline after an I/O error. */
    public Set<Path> offlineLogDirs() {
        return failures.dirs();
    }

    /** When the first log directory went offline (wall clock ms; Long.MAX_VALUE while none is). */
    public long offlineSinceMs() {
        return failures.firstSinceMs();
    }

    /** Whether {@code tp}'s log was in a log directory that is offline now. */
    public boolean isOffline(TopicPartition tp) {
        return failures.dirOf(tp).isPresent();
    }

    /** Every log directory's state now, in {@code log.dirs} order. */
    public List<LogDirState> logDirStates() {
        Map<Path, List<TopicPartition>> byDir = new HashMap<>();
        for (PartitionLog pl : logs.values()) {
            byDir.computeIfAbsent(pl.dir().getParent(), d -> new ArrayList<>()).add(pl.topicPartition());
        }
        List<LogDirState> out = new ArrayList<>();
        for (Path d : logDirs) {
            Optional<FreeSpaceGuard.Measured> m = runtime.space.last(d);
            long usable = m.map(FreeSpaceGuard.Measured::usable).orElse(-1L);
            long floor = m.map(FreeSpaceGuard.Measured::floor).orElse(0L);
            Optional<LogDirFailures.Failure> failure = failures.failure(d);
            if (failure.isPresent()) {
                out.add(new LogDirState(
                        d,
                        LogDirState.Status.OFFLINE,
                        failure.get().reason(),
                        usable,
                        floor,
                        failures.partitionsIn(d)));
            } else {
                List<TopicPartition> here = byDir.getOrDefault(d, List.of());
                if (runtime.space.below(d)) {
                    out.add(new LogDirState(
                            d,
                            LogDirState.Status.BELOW_FREE_SPACE_FLOOR,
                            usable + " bytes free, floor " + floor + " bytes",
                            usable,
                            floor,
                            here));
                } else {
                    out.add(new LogDirState(d, LogDirState.Status.ONLINE, "", usable, floor, here));
                }
            }
        }
        return out;
    }

    /**
     * Takes {@code dir} offline (an I/O error in it, or it vanished): every log in it goes offline and is closed,
     * appends to them fail with {@code KafkaStorageException}, no new log is created in it, and the listeners hear
     * of it. It stays offline until the broker restarts. No-op if it already is offline.
     */
    public void takeLogDirOffline(Path dir, String reason) {
        if (!logDirs.contains(dir) || !failures.markOffline(dir, reason, System.currentTimeMillis())) {
            return;
        }
        List<PartitionLog> inDir = new ArrayList<>();
        for (PartitionLog pl : logs.values()) {
            if (dir.equals(pl.dir().getParent())) {
                inDir.add(pl);
            }
        }
        for (PartitionLog pl : inDir) {
            failures.partitionOffline(pl.topicPartition(), dir);
            logs.remove(pl.topicPartition(), pl);
            pl.takeOffline("log directory " + dir + " is offline: " + reason);
            pl.close();
        }
        journals.closeDir(dir);
        log.error(
                "Log directory {} is offline ({}); its {} logs stopped: {}. {} of {} log directories are offline",
                dir,
                reason,
                inDir.size(),
                inDir.stream().map(PartitionLog::topicPartition).toList(),
                failures.dirs().size(),
                logDirs.size());
        notifyDirListeners();
    }

    /** Whether every log directory is offline (the broker cannot host anything). */
    public boolean allLogDirsOffline() {
        return failures.dirs().containsAll(logDirs);
    }

    /** The periodic check: a directory that is gone or no longer a directory goes offline; the others are measured. */
    void checkLogDirs() {
        for (Path d : logDirs) {
            if (failures.isOffline(d)) {
                continue;
            }
            if (!Files.isDirectory(d)) {
                takeLogDirOffline(d, "it is no longer a readable directory");
                continue;
            }
            runtime.space.remeasure(d);
        }
    }

    /**
     * Loads every {@code <topic>-<partition>} directory (recovering those that were not closed cleanly), deletes
     * leftovers of deleted logs, and starts the retention, flush and checkpoint tasks.
     */
    public void startup() {
        synchronized (createLock) {
            if (started) return;
            if (closed) throw new IllegalStateException("LogManager is closed");
            long t0 = System.nanoTime();
            List<Path> toLoad = new ArrayList<>();
            Map<TopicPartition, Path> seen = new HashMap<>();
            long now = System.currentTimeMillis();
            for (Path d : logDirs) {
                try {
                    Files.createDirectories(d);
                } catch (IOException e) {
                    log.error("Log directory {} is offline: it cannot be created: {}", d, e.toString());
                    failures.markOffline(d, "cannot create it: " + e, now);
                }
            }
            if (allLogDirsOffline()) {
                throw new KafkaStorageException("every log directory is offline: " + logDirs);
            }
            dirLocks = LogDirLocks.acquire(
                    logDirs.stream().filter(d -> !failures.isOffline(d)).toList());
            for (Path d : logDirs) {
                if (failures.isOffline(d)) {
                    continue;
                }
                try {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, Files::isDirectory)) {
                        for (Path p : ds) {
                            String name = p.getFileName().toString();
                            if (name.endsWith(DELETE_DIR_SUFFIX)) {
                                runtime.scheduleDelete("log directory " + p, () -> Utils.delete(p.toFile()));
                                continue;
                            }
                            Optional<TopicPartition> tp = parseTopicPartition(name);
                            if (tp.isEmpty()) continue;
                            Path other = seen.put(tp.get(), p);
                            if (other != null)
                                throw new IllegalStateException("Partition " + tp.get()
                                        + " has logs in two directories: " + other + " and " + p);
                            toLoad.add(p);
                        }
                    }
                } catch (IOException e) {
                    log.error("Log directory {} is offline: it cannot be listed: {}", d, e.toString());
                    failures.markOffline(d, "cannot list it: " + e, now);
                }
            }
            if (allLogDirsOffline()) {
                dirLocks.close();
                throw new KafkaStorageException("every log directory is offline: " + logDirs);
            }
            ExecutorService loaders = Executors.newFixedThreadPool(
                    settings.recoveryThreads(), ThreadUtils.createThreadFactory("strand-wal-loader", true));
            Map<Path, String> failedToLoad = new HashMap<>();
            try {
                Map<Path, Future<PartitionLog>> futures = new java.util.LinkedHashMap<>();
                for (Path p : toLoad) {
                    TopicPartition tp =
                            parseTopicPartition(p.getFileName().toString()).orElseThrow();
                    futures.put(p, loaders.submit(() -> PartitionLog.open(p, tp, null, defaults, runtime, false)));
                }
                for (Map.Entry<Path, Future<PartitionLog>> f : futures.entrySet()) {
                    try {
                        PartitionLog pl = f.getValue().get();
                        logs.put(pl.topicPartition(), pl);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof KafkaStorageException)) {
                            throw e;
                        }
                        // an I/O error while loading: the directory goes offline with every log in it
                        failedToLoad.putIfAbsent(
                                f.getKey().getParent(), e.getCause().getMessage());
                        parseTopicPartition(f.getKey().getFileName().toString())
                                .ifPresent(tp ->
                                        failures.partitionOffline(tp, f.getKey().getParent()));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaStorageException("Interrupted while loading logs", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                throw new KafkaStorageException("Loading logs failed", c);
            } finally {
                loaders.shutdownNow();
            }
            if (settings.journal().enabled()) {
                for (Path d : logDirs) {
                    if (failures.isOffline(d) || failedToLoad.containsKey(d)) continue;
                    try {
                        journals.open(d, logs.values());
                    } catch (IOException | RuntimeException e) {
                        log.error("The journal of log directory {} cannot be replayed: {}", d, e.toString(), e);
                        failedToLoad.putIfAbsent(d, "journal replay failed: " + e);
                    }
                }
            }
            started = true; // takeLogDirOffline needs the logs in place
            failedToLoad.forEach(this::takeLogDirOffline);
            if (allLogDirsOffline()) {
                close();
                throw new KafkaStorageException("every log directory is offline: " + logDirs);
            }
            log.info("Loaded {} logs from {} in {} ms", logs.size(), logDirs, (System.nanoTime() - t0) / 1_000_000);
            tasks.add(
                    runtime.schedulePeriodic("log-retention", this::runRetention, settings.retentionCheckIntervalMs()));
            tasks.add(runtime.schedulePeriodic("log-flusher", this::runTimeFlush, settings.flushCheckIntervalMs()));
            tasks.add(runtime.schedulePeriodic("log-checkpoint", this::checkpointAll, settings.checkpointIntervalMs()));
            tasks.add(runtime.schedulePeriodic("log-dir-check", this::checkLogDirs, DIR_CHECK_INTERVAL_MS));
            if (!journals.isEmpty())
                tasks.add(runtime.schedulePeriodic(
                        "journal-checkpoint",
                        () -> journals.requestRound(true),
                        settings.journal().checkpointIntervalMs()));
        }
    }

    /** A journal checkpoint round now, on the calling thread (tests; the manager runs them on their own thread). */
    public void checkpointJournals() {
        journals.checkpointRound(false);
    }

    /** What the write-ahead journals of the online log directories hold (all zero without a journal). */
    public JournalStats journalStats() {
        return journals.stats();
    }

    static Optional<TopicPartition> parseTopicPartition(String dirName) {
        Matcher m = PARTITION_DIR.matcher(dirName);
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new TopicPartition(m.group(1), Integer.parseInt(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Optional<PartitionLog> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    /**
     * The log of {@code tp}, created if absent, with {@code config} applied. An existing log with a different topic
     * id (the topic was deleted and re-created) is deleted first, so a re-created topic never shows old data.
     */
    public PartitionLog getOrCreate(TopicPartition tp, Uuid topicId, LogConfig config) {
        return getOrCreate(tp, topicId, config, false);
    }

    /**
     * As {@link #getOrCreate(TopicPartition, Uuid, LogConfig)}. While a log directory is offline, a log this broker
     * does not have is created only for a partition known to be {@code isNew} (created since the directory went
     * offline): any other may have its data in the offline directory, and an empty log in its place would lose it.
     *
     * @throws KafkaStorageException the partition's log is in an offline directory, or may be
     */
    public PartitionLog getOrCreate(TopicPartition tp, Uuid topicId, LogConfig config, boolean isNew) {
        Objects.requireNonNull(config, "config");
        Optional<Path> offlineDir = failures.dirOf(tp);
        if (offlineDir.isPresent()) {
            throw new KafkaStorageException(
                    "the log of " + tp + " is in the offline log directory " + offlineDir.get());
        }
        PartitionLog existingFast = logs.get(tp);
        if (existingFast != null
                && sameTopic(existingFast, topicId)
                && existingFast.config().equals(config)) return existingFast;
        synchronized (lockFor(tp)) {
            if (closed) throw new KafkaStorageException("LogManager is closed");
            PartitionLog existing = logs.get(tp);
            if (existing != null) {
                Uuid old = existing.topicId();
                boolean hasOld = old != null && !Uuid.ZERO_UUID.equals(old);
                boolean hasNew = topicId != null && !Uuid.ZERO_UUID.equals(topicId);
                if (hasOld && hasNew && !old.equals(topicId)) {
                    log.info(
                            "Log of {} belongs to topic id {}, not {}: deleting it before creating the new one",
                            tp,
                            old,
                            topicId);
                    delete(tp);
                } else {
                    if (!hasOld && hasNew) existing.assignTopicId(topicId);
                    if (!existing.config().equals(config)) existing.updateConfig(config);
                    return existing;
                }
            }
            if (!isNew && failures.any()) {
                // reported as offline with the first offline directory, so that the controller moves it too
                Path offline =
                        logDirs.stream().filter(failures::isOffline).findFirst().orElseThrow();
                failures.partitionOffline(tp, offline);
                runtime.execute("log directory listeners", this::notifyDirListeners);
                throw new KafkaStorageException("cannot create a log for " + tp + ": log directories " + failures.dirs()
                        + " are offline and may hold it");
            }
            Path dir = chooseDir().resolve(tp.topic() + "-" + tp.partition());
            try {
                Optional<Uuid> onDisk = Files.isDirectory(dir) ? LogCheckpoints.readTopicId(dir) : Optional.empty();
                if (onDisk.isPresent()
                        && topicId != null
                        && !Uuid.ZERO_UUID.equals(topicId)
                        && !onDisk.get().equals(topicId)) {
                    log.info("Directory {} belongs to topic id {}, not {}: deleting it", dir, onDisk.get(), topicId);
                    Path renamed = deletedName(dir);
                    Files.move(dir, renamed);
                    runtime.scheduleDelete("log directory " + renamed, () -> Utils.delete(renamed.toFile()));
                }
            } catch (IOException e) {
                throw new KafkaStorageException("Cannot prepare " + dir, e);
            }
            PartitionLog pl = PartitionLog.open(dir, tp, topicId, config, runtime, false);
            journals.attachNew(dir.getParent(), pl);
            logs.put(tp, pl);
            log.info("Created log for {} (topic id {}) in {}", tp, topicId, dir);
            return pl;
        }
    }

    private static boolean sameTopic(PartitionLog log, Uuid topicId) {
        Uuid old = log.topicId();
        return topicId == null || Uuid.ZERO_UUID.equals(topicId) ? true : topicId.equals(old);
    }

    /** Creation and deletion of one partition's log are serialised; different partitions proceed in parallel. */
    private Object lockFor(TopicPartition tp) {
        return partitionLocks.computeIfAbsent(tp, k -> new Object());
    }

    /** Where a new log goes: the online directory with the fewest logs, preferring those above their floor. */
    private Path chooseDir() {
        List<Path> online = logDirs.stream().filter(d -> !failures.isOffline(d)).toList();
        if (online.isEmpty()) {
            throw new KafkaStorageException("every log directory is offline: " + logDirs);
        }
        if (online.size() == 1) return online.get(0); // no need to count every log, per new log
        Map<Path, Integer> counts = new HashMap<>();
        for (Path d : online) counts.put(d, 0);
        for (PartitionLog pl : logs.values()) {
            Path parent = pl.dir().getParent();
            counts.computeIfPresent(parent, (k, v) -> v + 1);
        }
        java.util.Comparator<Path> order = java.util.Comparator.<Path, Boolean>comparing(runtime.space::below)
                .thenComparing(counts::get);
        return online.stream().min(order).orElseThrow();
    }

    private static Path deletedName(Path dir) {
        String uid = UUID.randomUUID().toString().replace("-", "");
        return dir.resolveSibling(dir.getFileName() + "." + uid + DELETE_DIR_SUFFIX);
    }

    public Collection<PartitionLog> all() {
        return Collections.unmodifiableCollection(logs.values());
    }

    /**
     * Removes the log of {@code tp}: renames its directory to {@code <topic>-<partition>.<id>-delete} at once and
     * deletes it after {@code file.delete.delay.ms}, so in-flight slices stay readable. No-op if absent.
     */
    public void delete(TopicPartition tp) {
        synchronized (lockFor(tp)) {
            failures.forget(tp);
            PartitionLog pl = logs.remove(tp);
            if (pl == null) return;
            pl.markDeletedAndScheduleRemoval(deletedName(pl.dir()));
            log.info("Deleted log of {}", tp);
        }
    }

    /** Runs retention on every log now (the scheduled task calls this). Returns the number of segments deleted. */
    public int runRetention() {
        long now = runtime.time.milliseconds();
        int n = 0;
        for (PartitionLog pl : logs.values()) {
            try {
                n += pl.deleteExpiredSegments(now);
            } catch (RuntimeException e) {
                log.error("Retention failed for {}", pl.topicPartition(), e);
            }
        }
        return n;
    }

    private void runTimeFlush() {
        long now = runtime.time.milliseconds();
        for (PartitionLog pl : logs.values()) pl.maybeFlushByTime(now);
    }

    /** Checkpoints every log whose recovery point, high watermark or log start offset changed. */
    public void checkpointAll() {
        for (PartitionLog pl : logs.values()) {
            try {
                pl.checkpoint();
            } catch (RuntimeException e) {
                log.error("Checkpoint failed for {}", pl.topicPartition(), e);
            }
        }
    }

    /** Flushes, checkpoints and closes every log (leaving clean-shutdown markers), then stops the threads. */
    @Override
    public void close() {
        synchronized (createLock) {
            if (closed) return;
            closed = true;
        }
        // wait for creations and deletions in flight: they check the flag under their partition's lock
        for (Object l : partitionLocks.values()) {
            synchronized (l) {
                // nothing: just a barrier
            }
        }
        for (ScheduledFuture<?> t : tasks) t.cancel(false);
        // closing is fsync-bound: more threads than recovery (which is CPU-bound) let the disk batch the fsyncs
        ExecutorService closers = Executors.newFixedThreadPool(
                Math.max(8, settings.recoveryThreads()), ThreadUtils.createThreadFactory("strand-wal-closer", true));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (PartitionLog pl : logs.values()) futures.add(closers.submit(pl::close));
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    log.error("Closing a log failed", e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closers.shutdownNow();
            journals.close();
            runtime.close();
            if (dirLocks != null) {
                dirLocks.close();
            }
        }
        log.info("Closed {} logs", logs.size());
    }
}
