package io.strand.tools.check;

import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.StopSignal;
import io.strand.tools.launcher.LocalClusterControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * {@code strand check --kill-leaders N}: during the run, N times, finds the leader of one of the
 * topic's partitions (Admin describeTopics; partitions in turn), kills its broker with {@code kill
 * -9} through the local cluster's launcher ({@link LocalClusterControl}: pid file plus command
 * line), waits until another broker leads the partition, starts the broker again as {@code
 * bin/strand-cluster start} does, and waits until every partition's ISR holds all its replicas
 * before the next kill, so that no two brokers are ever down together. The kills are spread over
 * the run's duration: kill i (from 1) is due at i/(N+1) of it, or when the previous one has
 * recovered if that is later.
 *
 * <p>Threading: runs on its own thread ({@link #start}); {@link #done()} and {@link #kills()} may be
 * read from any thread. The Admin client is thread-safe; the launcher control is used on this
 * thread only.
 */
final class LeaderKiller {
    private static final Duration KILL_WAIT = Duration.ofSeconds(20);
    private static final Duration LEADER_WAIT = Duration.ofSeconds(60);
    private static final Duration ISR_WAIT = Duration.ofSeconds(120);
    private static final int RESTART_TIMEOUT_SECONDS = 120;
    private static final long POLL_MS = 100;

    /**
     * One kill and the recovery after it; times in ms, null where it did not get that far.
     *
     * @param atMs when the broker was killed, from the start of writing
     * @param error why the kill or the recovery failed, null when it did not
     */
    record Kill(
            int number,
            int partition,
            int broker,
            long pid,
            long atMs,
            Integer newLeader,
            Long newLeaderMs,
            Long restartedMs,
            Long inSyncMs,
            String error) {
        String describe() {
            StringBuilder sb = new StringBuilder(String.format(
                    Locale.ROOT,
                    "kill %d at %.1f s: broker %d (pid %d), leader of partition %d",
                    number,
                    atMs / 1000.0,
                    broker,
                    pid,
                    partition));
            if (newLeader != null) {
                sb.append("; broker ")
                        .append(newLeader)
                        .append(" led it after ")
                        .append(newLeaderMs)
                        .append(" ms");
            }
            if (restartedMs != null) {
                sb.append("; restarted after ").append(restartedMs).append(" ms");
            }
            if (inSyncMs != null) {
                sb.append("; every ISR full again after ").append(inSyncMs).append(" ms");
            }
            if (error != null) {
                sb.append("; FAILED: ").append(error);
            }
            return sb.toString();
        }

        Map<String, Object> json() {
            return Json.object(
                    "number", number,
                    "partition", partition,
                    "broker", broker,
                    "pid", pid,
                    "atMs", atMs,
                    "newLeader", newLeader,
                    "newLeaderMs", newLeaderMs,
                    "restartedMs", restartedMs,
                    "inSyncMs", inSyncMs,
                    "error", error);
        }
    }

    private final Admin admin;
    private final LocalClusterControl cluster;
    private final String topic;
    private final List<Integer> partitions;
    private final int count;
    private final long durationMs;
    private final StopSignal stop;
    private final Consumer<String> events;
    private final List<Kill> kills = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread = new Thread(this::killAll, "strand-check-leader-killer");
    private final java.util.concurrent.atomic.AtomicInteger killed = new java.util.concurrent.atomic.AtomicInteger();
    private final StopSignal noMoreKills = new StopSignal();
    private volatile boolean done;
    private volatile String failure;
    private long startNanos;

    /**
     * @param events where each step is told as it happens (the progress display)
     */
    LeaderKiller(
            Admin admin,
            LocalClusterControl cluster,
            String topic,
            List<Integer> partitions,
            int count,
            long durationMs,
            StopSignal stop,
            Consumer<String> events) {
        this.admin = admin;
        this.cluster = cluster;
        this.topic = topic;
        this.partitions = List.copyOf(partitions);
        this.count = count;
        this.durationMs = durationMs;
        this.stop = stop;
        this.events = events;
        thread.setDaemon(true);
    }

    /** Starts killing; the schedule counts from now (the start of writing). */
    void start() {
        startNanos = System.nanoTime();
        thread.start();
    }

    /** How many brokers were killed so far (the last one may still be recovering). */
    int killedSoFar() {
        return killed.get();
    }

    /** True once every kill is done and recovered from, or the killer gave up. */
    boolean done() {
        return done;
    }

    /**
     * Makes no more kills (a broker killed already is still started again) and waits until the killer
     * is done.
     */
    void finish() throws InterruptedException {
        noMoreKills.stop();
        thread.join();
    }

    List<Kill> kills() {
        synchronized (kills) {
            return List.copyOf(kills);
        }
    }

    /** Why the killer gave up, if it did. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private void killAll() {
        try {
            for (int i = 1; i <= count; i++) {
                long dueMs = durationMs * i / (count + 1);
                while (elapsedMs() < dueMs) {
                    if (stop.stopped() || noMoreKills.await(Duration.ofMillis(Math.min(200, dueMs - elapsedMs())))) {
                        return;
                    }
                }
                if (stop.stopped() || noMoreKills.stopped()) {
                    return;
                }
                Kill kill = killOne(i, partitions.get((i - 1) % partitions.size()));
                kills.add(kill);
                events.accept(kill.describe());
                if (kill.error() != null) {
                    failure = "kill " + i + ": " + kill.error();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (RuntimeException e) {
            failure = Failures.describe(e);
        } finally {
            done = true;
        }
    }

    private Kill killOne(int number, int partition) throws InterruptedException {
        int leader = awaitLeader(partition, -1);
        long atMs = elapsedMs();
        long pid = cluster.brokerPid(leader)
                .orElseThrow(() -> new IllegalStateException("broker " + leader + ", leader of partition " + partition
                        + ", does not run from " + cluster.dir()));
        cluster.kill(leader, KILL_WAIT);
        this.killed.incrementAndGet();
        long killed = System.nanoTime();
        events.accept(String.format(
                Locale.ROOT,
                "kill %d at %.1f s: broker %d (pid %d), leader of partition %d, killed with SIGKILL",
                number,
                atMs / 1000.0,
                leader,
                pid,
                partition));
        Integer newLeader = null;
        Long newLeaderMs = null;
        try {
            newLeader = awaitLeader(partition, leader);
            newLeaderMs = sinceMs(killed);
        } catch (IllegalStateException e) {
            // restart anyway; the failure is reported with the kill
        }
        int code = cluster.startStopped(RESTART_TIMEOUT_SECONDS);
        if (code != 0) {
            return new Kill(
                    number,
                    partition,
                    leader,
                    pid,
                    atMs,
                    newLeader,
                    newLeaderMs,
                    null,
                    null,
                    "broker " + leader + " did not start again (bin/strand-cluster start exit " + code + ")");
        }
        long restartedMs = sinceMs(killed);
        if (newLeader == null) {
            return new Kill(
                    number,
                    partition,
                    leader,
                    pid,
                    atMs,
                    null,
                    null,
                    restartedMs,
                    null,
                    "no other broker led partition " + partition + " within " + LEADER_WAIT.toSeconds() + " s");
        }
        boolean inSync = awaitFullIsr();
        return new Kill(
                number,
                partition,
                leader,
                pid,
                atMs,
                newLeader,
                newLeaderMs,
                restartedMs,
                inSync ? sinceMs(killed) : null,
                inSync ? null : "the ISRs were not full again within " + ISR_WAIT.toSeconds() + " s");
    }

    /** The partition's leader once it is a broker other than {@code not} (-1: any broker). */
    private int awaitLeader(int partition, int not) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        while (true) {
            Optional<TopicPartitionInfo> info = describe()
                    .flatMap(d -> d.partitions().stream()
                            .filter(p -> p.partition() == partition)
                            .findFirst());
            Node leader = info.map(TopicPartitionInfo::leader).orElse(null);
            if (leader != null && leader.id() >= 0 && leader.id() != not) {
                return leader.id();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("partition " + partition + " has no leader"
                        + (not >= 0 ? " other than broker " + not : "") + " after " + LEADER_WAIT.toSeconds() + " s");
            }
            Thread.sleep(POLL_MS);
        }
    }

    private boolean awaitFullIsr() throws InterruptedException {
        long deadline = System.nanoTime() + ISR_WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<TopicDescription> d = describe();
            if (d.isPresent()
                    && d.get().partitions().stream()
                            .allMatch(p -> p.isr().size() == p.replicas().size())) {
                return true;
            }
            Thread.sleep(POLL_MS * 2);
        }
        return false;
    }

    /** The topic as a broker describes it now; empty when no broker answered in time. */
    private Optional<TopicDescription> describe() throws InterruptedException {
        try {
            return Optional.ofNullable(admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        }
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static long sinceMs(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
