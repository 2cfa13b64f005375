package io.strand.tools.check;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerFlags;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.UsageException;
import io.strand.tools.launcher.LocalClusterControl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.Node;

/**
 * {@code strand check}: a produce–consume–validate run against any cluster. An idempotent acks=all
 * producer ({@link CheckProducer}) writes keyed, numbered records at a steady rate for a while, a
 * consumer without a group ({@link CheckConsumer}) reads them back beside it, and the {@link
 * DeliveryLedger} counts what was acknowledged, lost, duplicated, read out of order or read though
 * not acknowledged, and the end-to-end latency. Exit 0 only when nothing acknowledged was lost (and,
 * as the producer promised, nothing was duplicated or reordered), 1 otherwise, 2 for a bad command
 * line.
 *
 * <p>Options: {@code --transactional} (a transactional producer and a {@code read_committed}
 * reader), {@code --kill-leaders N} on a local cluster ({@link LeaderKiller}), {@code --phase
 * produce|consume} with a {@code --state-file} to write now and verify later ({@link CheckState}).
 *
 * <p>Threading: runs on the command's thread, which writes; the reader, the leader killer and the
 * progress display have a thread each.
 */
public final class Check extends Command<Check.Flags> {
    public static final class Flags {
        @ParametersDelegate
        final BrokerFlags broker = new BrokerFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(
                names = {"-t", "--topic"},
                description = "Topic to write to and read from; created when absent, used as it is otherwise",
                defaultValueDescription = DEFAULT_TOPIC)
        String topic;

        @Parameter(names = "--partitions", description = "Partitions of the topic when it is created")
        int partitions = 6;

        @Parameter(
                names = "--replication-factor",
                description = "Replication factor of the topic when it is created (default: 3, or the number of"
                        + " brokers when fewer); min.insync.replicas is set to 2 from 3 replicas on, 1 below")
        Integer replicationFactor;

        @Parameter(names = "--duration", description = "How long to write: 30s, 5m, 1h, or seconds")
        String duration = "30s";

        @Parameter(names = "--rate", description = "Records written per second")
        int rate = 1000;

        @Parameter(names = "--acks", description = "The producer's acks: all (idempotent), 1 or 0")
        String acks = "all";

        @Parameter(names = "--record-size", description = "Bytes per record value (at least the ~40 bytes it needs)")
        int recordSize = 100;

        @Parameter(names = "--keys", description = "Distinct record keys; order is checked per key")
        int keys = 100;

        @Parameter(
                names = "--transactional",
                description = "Write in transactions (committed every 100 ms) and read with read_committed:"
                        + " a record counts as acknowledged once its transaction committed")
        boolean transactional;

        @Parameter(
                names = "--drain-timeout",
                description = "How long the reader may take, once writing is over, to reach the end offsets;"
                        + " what it has not read by then is lost")
        String drainTimeout = "60s";

        @Parameter(
                names = "--phase",
                description = "both: write and read together; produce: write and save the state file;"
                        + " consume: read what a produce phase wrote (its --state-file) and report")
        String phase = "both";

        @Parameter(
                names = "--state-file",
                description = "Where --phase produce saves what it wrote, for --phase consume")
        String stateFile;

        @Parameter(
                names = "--kill-leaders",
                description = "kill -9 a partition leader's broker this many times during the run and restart it"
                        + " (a local cluster of bin/strand-cluster only: see --dir)")
        int killLeaders;

        @Parameter(
                names = "--dir",
                description = "The directory of the local cluster for --kill-leaders, as bin/strand-cluster --dir",
                defaultValueDescription = LocalClusterControl.DEFAULT_DIR)
        String dir = LocalClusterControl.DEFAULT_DIR;
    }

    static final String DEFAULT_TOPIC = "strand-check";

    public Check() {
        super(new Flags());
    }

    @Override
    public int run(Io io) throws Exception {
        Settings s = settings();
        Properties client = flags.broker.clientProperties();
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, flags.broker.servers());
        Runnable restoreLogging = CheckLogging.quietClients();
        try (KafkaAdmin admin = KafkaAdmin.open(flags.broker)) {
            CheckSummary summary = s.phase.equals("consume")
                    ? new CheckRun(io, s, client, admin).consume(CheckState.load(s.stateFile))
                    : new CheckRun(io, s, client, admin).produce(flags.killLeaders > 0 ? killerCluster(admin) : null);
            flags.output.print(io, summary::json, () -> summary.printText(io));
            if (!summary.ok()) {
                io.warn("error: check failed: " + String.join("; ", summary.failures()));
                return 1;
            }
            return 0;
        } finally {
            restoreLogging.run();
        }
    }

    /** The flags, checked. */
    record Settings(
            String topic,
            boolean topicGiven,
            int partitions,
            Optional<Integer> replicationFactor,
            long durationMs,
            int rate,
            String acks,
            int recordSize,
            int keys,
            boolean transactional,
            long drainTimeoutMs,
            String phase,
            Path stateFile,
            int killLeaders,
            int timeoutMs) {}

    private Settings settings() {
        int timeoutMs = flags.broker.timeoutMs();
        flags.broker.servers();
        String phase = flags.phase.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("both", "produce", "consume").contains(phase)) {
            throw new UsageException("--phase " + flags.phase + ": expected both, produce or consume");
        }
        if (!phase.equals("both") && flags.stateFile == null) {
            throw new UsageException("--phase " + phase + " needs --state-file");
        }
        if (phase.equals("both") && flags.stateFile != null) {
            throw new UsageException("--state-file goes with --phase produce or --phase consume");
        }
        String acks = flags.acks.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("all", "-1", "1", "0").contains(acks)) {
            throw new UsageException("--acks " + flags.acks + ": expected all, -1, 1 or 0");
        }
        if (flags.transactional && !CheckProducer.idempotent(acks)) {
            throw new UsageException("--transactional writes with acks=all; it cannot go with --acks " + flags.acks);
        }
        if (flags.killLeaders < 0) {
            throw new UsageException("--kill-leaders must not be negative, was " + flags.killLeaders);
        }
        if (flags.killLeaders > 0 && phase.equals("consume")) {
            throw new UsageException("--kill-leaders kills during writing; it cannot go with --phase consume");
        }
        UsageException.requirePositive("--partitions", flags.partitions);
        UsageException.requirePositive("--rate", flags.rate);
        UsageException.requirePositive("--keys", flags.keys);
        UsageException.requirePositive("--record-size", flags.recordSize);
        if (flags.replicationFactor != null) {
            UsageException.requirePositive("--replication-factor", flags.replicationFactor);
        }
        long durationMs = durationMs("--duration", flags.duration);
        long drainMs = durationMs("--drain-timeout", flags.drainTimeout);
        return new Settings(
                flags.topic == null ? DEFAULT_TOPIC : flags.topic,
                flags.topic != null,
                flags.partitions,
                Optional.ofNullable(flags.replicationFactor),
                durationMs,
                flags.rate,
                acks.equals("-1") ? "all" : acks,
                flags.recordSize,
                flags.keys,
                flags.transactional,
                drainMs,
                phase,
                flags.stateFile == null ? null : Path.of(flags.stateFile),
                flags.killLeaders,
                timeoutMs);
    }

    /** "30s", "5m", "1h", "500ms" or a number of seconds, in ms; positive. */
    static long durationMs(String flag, String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1000;
        String number = v;
        if (v.endsWith("ms")) {
            unit = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            unit = 60_000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("h")) {
            unit = 3_600_000;
            number = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(number.trim());
            if (n <= 0) {
                throw new UsageException(flag + " must be positive, was " + value);
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(flag + " " + value + ": expected a duration such as 30s, 5m, 1h or 500ms", e);
        }
    }

    /**
     * The local cluster of --dir, after checking that every broker the cluster reports runs from it
     * (the brokers of --bootstrap-server must be that cluster's).
     */
    private KillerCluster killerCluster(KafkaAdmin admin) {
        ByteArrayOutputStream launcherOutput = new ByteArrayOutputStream();
        LocalClusterControl control;
        try {
            control =
                    LocalClusterControl.open(flags.dir, new PrintStream(launcherOutput, true, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CliException("--kill-leaders: " + e.getMessage(), e);
        }
        List<String> foreign = new ArrayList<>();
        for (Node n : admin.await(admin.admin().describeCluster().nodes(), "describing the cluster")) {
            if (control.brokerPid(n.id()).isEmpty()) {
                foreign.add("broker " + n.id() + " (" + n.host() + ":" + n.port() + ")");
            }
        }
        if (!foreign.isEmpty()) {
            throw new CliException("--kill-leaders: " + String.join(", ", foreign) + " of " + flags.broker.servers()
                    + " not running from the local cluster in " + control.dir()
                    + " (give the --dir of bin/strand-cluster start)");
        }
        return new KillerCluster(control, launcherOutput);
    }

    /** The local cluster a run kills brokers of, with what the launcher printed while restarting them. */
    record KillerCluster(LocalClusterControl control, ByteArrayOutputStream launcherOutput) {
        String launcherOutputText() {
            return launcherOutput.toString(StandardCharsets.UTF_8);
        }
    }

    /** A new run id: 8 hex digits. */
    static String newRunId() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
