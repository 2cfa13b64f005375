package io.strand.tools.check;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.UsageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code strand check} from the checked flags: {@link #produce} (phases {@code both} and
 * {@code produce}) ensures the topic, notes where its partitions end, starts the reader, the leader
 * killer and the progress display beside the writer, writes for the duration (longer if a kill is
 * still recovering), then lets the reader drain up to the end offsets; {@link #consume} (phase
 * {@code consume}) reads what a saved produce phase wrote. Both return the {@link CheckSummary}.
 *
 * <p>Runs on the command's thread; made for one run.
 */
final class CheckRun {
    private static final long RETRY_MS = 500;

    private final Io io;
    private final Check.Settings s;
    private final Properties client;
    private final KafkaAdmin admin;
    private final List<String> problems = new ArrayList<>();

    CheckRun(Io io, Check.Settings settings, Properties client, KafkaAdmin admin) {
        this.io = io;
        this.s = settings;
        this.client = client;
        this.admin = admin;
    }

    CheckSummary produce(Check.KillerCluster killerCluster) throws InterruptedException {
        CheckTopic topic = new CheckTopic(admin, s.topic());
        CheckTopic.Described described = topic.ensure(s.partitions(), s.replicationFactor(), s.timeoutMs());
        Map<Integer, Long> start = topic.endOffsets(described.partitions());
        String run = Check.newRunId();
        boolean both = s.phase().equals("both");
        DeliveryLedger ledger = new DeliveryLedger();
        CheckConsumer consumer =
                both ? new CheckConsumer(client, s.topic(), run, start, s.transactional(), true, ledger) : null;
        LeaderKiller killer = null;
        CheckProgress progress;
        List<Integer> partitionIds = new ArrayList<>(start.keySet());
        if (killerCluster != null) {
            CheckProgress[] events = new CheckProgress[1];
            killer = new LeaderKiller(
                    admin.admin(),
                    killerCluster.control(),
                    s.topic(),
                    partitionIds,
                    s.killLeaders(),
                    s.durationMs(),
                    io.stop(),
                    line -> events[0].event(line));
            LeaderKiller k = killer;
            progress = progress(ledger, k::killedSoFar);
            events[0] = progress;
        } else {
            progress = progress(ledger, () -> 0);
        }
        progress.event(String.format(
                "run %s: %s topic %s (%d partitions, replication factor %d) for %.1f s at %d records/s, acks=%s%s",
                run,
                described.created() ? "writing to the new" : "writing to the existing",
                s.topic(),
                described.partitions(),
                described.replicationFactor(),
                s.durationMs() / 1000.0,
                s.rate(),
                s.acks(),
                s.transactional() ? ", transactional" : ""));
        CheckProducer producer = new CheckProducer(
                client,
                s.topic(),
                run,
                s.keys(),
                s.recordSize(),
                s.rate(),
                s.acks(),
                s.transactional(),
                ledger,
                io.stop());
        long wroteMs;
        boolean complete = false;
        try {
            if (consumer != null) {
                consumer.start();
            }
            progress.start();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(s.durationMs());
            if (killer != null) {
                killer.start();
            }
            LeaderKiller k = killer;
            wroteMs = producer.run(
                    () -> !io.stop().stopped() && (System.nanoTime() - end < 0 || (k != null && !k.done())));
            if (killer != null) {
                killer.finish();
                killer.failure().ifPresent(f -> {
                    problems.add("leader kills: " + f);
                    String launcher = killerCluster.launcherOutputText().strip();
                    if (!launcher.isEmpty()) {
                        progress.event("what bin/strand-cluster start printed while restarting:\n" + launcher);
                    }
                });
            }
            if (consumer != null) {
                progress.stage("draining");
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(s.drainTimeoutMs());
                Map<Integer, Long> ends = endOffsets(topic, described.partitions(), deadline);
                complete = consumer.drain(ends, remaining(deadline));
            }
        } finally {
            if (killer != null) {
                killer.finish(); // a broker killed already is started again, whatever went wrong
            }
            if (consumer != null) {
                consumer.stop();
            }
            progress.close();
        }
        if (!both) {
            CheckState state = new CheckState();
            state.run = run;
            state.topic = s.topic();
            state.partitions = described.partitions();
            state.acks = s.acks();
            state.transactional = s.transactional();
            state.rate = s.rate();
            state.durationMs = wroteMs;
            start.forEach((p, o) -> state.startOffsets.put(String.valueOf(p), o));
            state.written(ledger).save(s.stateFile());
        }
        return new CheckSummary(
                s.topic(),
                run,
                s.phase(),
                described.partitions(),
                s.acks(),
                CheckProducer.idempotent(s.acks()),
                s.transactional(),
                s.rate(),
                wroteMs,
                ledger.summary(both),
                complete,
                killer == null ? List.of() : killer.kills(),
                List.copyOf(problems));
    }

    CheckSummary consume(CheckState state) throws InterruptedException {
        if (s.topicGiven() && !s.topic().equals(state.topic)) {
            throw new UsageException("--topic " + s.topic() + " differs from the topic of --state-file " + s.stateFile()
                    + ", " + state.topic + " (leave --topic out)");
        }
        DeliveryLedger ledger = new DeliveryLedger();
        state.restoreInto(ledger);
        CheckTopic topic = new CheckTopic(admin, state.topic);
        CheckConsumer consumer = new CheckConsumer(
                client, state.topic, state.run, state.startOffsetsByPartition(), state.transactional, false, ledger);
        CheckProgress progress = progress(ledger, () -> 0);
        progress.stage("reading");
        progress.event("run " + state.run + ": reading topic " + state.topic + " from the offsets "
                + state.startOffsetsByPartition() + " on");
        boolean complete;
        try {
            consumer.start();
            progress.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(s.drainTimeoutMs());
            Map<Integer, Long> ends = endOffsets(topic, state.partitions, deadline);
            complete = consumer.drain(ends, remaining(deadline));
        } finally {
            consumer.stop();
            progress.close();
        }
        return new CheckSummary(
                state.topic,
                state.run,
                s.phase(),
                state.partitions,
                state.acks,
                CheckProducer.idempotent(state.acks),
                state.transactional,
                state.rate,
                state.durationMs,
                ledger.summary(false),
                complete,
                List.of(),
                List.of());
    }

    private CheckProgress progress(DeliveryLedger ledger, java.util.function.IntSupplier killsDone) {
        return new CheckProgress(
                io.err(), System.console() != null, ledger, s.durationMs(), s.killLeaders(), killsDone);
    }

    /** The end offsets of the topic's partitions, asked again until {@code deadline} while no broker answers. */
    private static Map<Integer, Long> endOffsets(CheckTopic topic, int partitions, long deadline)
            throws InterruptedException {
        while (true) {
            try {
                return topic.endOffsets(partitions);
            } catch (CliException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                Thread.sleep(RETRY_MS);
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
