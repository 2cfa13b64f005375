package io.strand.tools.launcher;

import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.ZooKeeperConnection;
import io.strand.coordinator.admin.ScramCredentialStore;
import io.strand.coordinator.security.ChrootWriteAccess;
import io.strand.coordinator.security.ZooKeeperClientOptions;
import io.strand.tools.launcher.LocalClusterFlags.Options;
import io.strand.tools.launcher.ProcessControl.Launched;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * {@code strand-cluster start}: starts what does not run yet of the cluster in D (ZooKeeper first,
 * then brokers 1..N), waits until ZooKeeper serves and every broker answers a Kafka request listing
 * all N brokers ({@link ClusterProbe}), and prints the bootstrap servers, alone, on stdout. A
 * secured cluster ({@code --secure}, recorded in cluster.conf) gets its files from {@link
 * SecureClusterFiles}, its SCRAM users before the brokers start, and is probed over SASL_SSL as the
 * admin user.
 *
 * <p>The {@code --timeout} counts from {@code startNanos}, the start of the launcher's JVM: the
 * build that {@code bin/strand-cluster} may run first is not charged to it.
 *
 * <p>Runs on the calling thread, holding the cluster dir's {@link DirLock}.
 */
final class StartCommand {
    static final int DEFAULT_TIMEOUT_SECONDS = 120;
    static final int DEFAULT_ZK_PORT = 2181;
    static final int DEFAULT_BASE_PORT = 9092;
    static final int DEFAULT_BROKERS = 3;
    private static final long POLL_MS = 200;
    private static final int MIN_PROBE_SECONDS = 10;

    private final ClusterLayout layout;
    private final Options options;
    private final Console console;
    private final ProcessControl processes;
    private final Path home;
    private final long deadline;
    private final int timeoutSeconds;

    /**
     * @param home the repository root, whose {@code bin/strand-zookeeper} and {@code bin/strand-broker}
     *     run the processes
     * @param startNanos {@link System#nanoTime()} when the launcher started
     */
    StartCommand(ClusterLayout layout, Options options, Console console, Path home, long startNanos) {
        this.layout = layout;
        this.options = options;
        this.console = console;
        this.processes = new ProcessControl(console);
        this.home = home;
        this.timeoutSeconds = options.timeoutSeconds() != null ? options.timeoutSeconds() : DEFAULT_TIMEOUT_SECONDS;
        this.deadline = startNanos + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    int run() throws IOException, ClusterException {
        try {
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.pids());
        } catch (IOException e) {
            throw new ClusterException("cannot create " + layout.dir());
        }
        try (DirLock lock = DirLock.acquire(layout.lockFile(), layout.dir())) {
            console.say(Console.PROG + ": cluster dir " + layout.dir());
            return start();
        }
    }

    private int start() throws IOException, ClusterException {
        // settings: recorded ones win; a port that differs from the recorded one is an error
        Optional<Integer> recBrokers = recordedInt(ClusterLayout.CONF_BROKERS, layout.conf());
        Optional<Integer> recZk = Files.exists(layout.zooKeeperConfig())
                ? recordedNumber(layout.zooKeeperPort(), "clientPort", layout.zooKeeperConfig())
                : recordedInt(ClusterLayout.CONF_ZK_PORT, layout.conf());
        Optional<Integer> recBase = recordedInt(ClusterLayout.CONF_BASE_PORT, layout.conf());
        int zk = recZk.orElse(options.zkPort() != null ? options.zkPort() : DEFAULT_ZK_PORT);
        int base = recBase.orElse(options.basePort() != null ? options.basePort() : DEFAULT_BASE_PORT);
        if (options.zkPort() != null && options.zkPort() != zk) {
            throw new ClusterException(layout.dir() + " was set up with ZooKeeper on port " + zk + ", not "
                    + options.zkPort() + " (use another --dir)");
        }
        if (options.basePort() != null && options.basePort() != base) {
            throw new ClusterException(layout.dir() + " was set up with brokers from port " + base + ", not "
                    + options.basePort() + " (use another --dir)");
        }
        boolean recordedSecure =
                layout.recorded(ClusterLayout.CONF_SECURE).map("true"::equals).orElse(false);
        if (options.secure() && !recordedSecure && Files.exists(layout.conf())) {
            throw new ClusterException(layout.dir() + " was set up without --secure (use another --dir)");
        }
        boolean secure = recordedSecure || options.secure();
        int brokers = options.brokers() != null ? options.brokers() : recBrokers.orElse(DEFAULT_BROKERS);
        if (recBrokers.isPresent() && brokers < recBrokers.get()) {
            console.say("note: " + layout.dir() + " holds " + recBrokers.get()
                    + " brokers; starting all of them (a cluster does not shrink by --brokers)");
            brokers = recBrokers.get();
        }
        if (base + brokers - 1 > 65535) {
            throw new ClusterException("broker ports would pass 65535");
        }
        if (base + brokers - 1 + ClusterFiles.HTTP_PORT_OFFSET > 65535) {
            throw new ClusterException(
                    "broker HTTP ports (Kafka port + " + ClusterFiles.HTTP_PORT_OFFSET + ") would pass 65535");
        }
        ClusterFiles files = new ClusterFiles(layout);
        files.writeConf(brokers, zk, base, secure);

        // what runs, what must start; the ports of what must start must be free
        List<Integer> ids = layout.brokerIds();
        List<ClusterProcess> all = new ArrayList<>();
        all.add(layout.zooKeeper());
        ids.forEach(id -> all.add(layout.broker(id)));
        List<ClusterProcess> toStart = new ArrayList<>();
        for (ClusterProcess p : all) {
            if (processes.running(p).isEmpty()) {
                toStart.add(p);
            }
        }
        if (!Files.exists(layout.zooKeeperConfig())) {
            files.writeZooKeeperConfig(zk);
        }
        SecureClusterFiles security = secure ? securityFiles(ids) : null;
        for (int id : ids) {
            if (!Files.exists(layout.brokerProperties(id))) {
                int port = base + id - 1;
                files.writeBrokerProperties(
                        id, port, zk, brokers, secure ? brokerSecuritySettings(security, id, port) : Map.of());
            }
        }
        int zkPort = zooKeeperPort();
        Map<ClusterProcess, String> addresses = new LinkedHashMap<>();
        addresses.put(layout.zooKeeper(), "127.0.0.1:" + zkPort);
        for (int id : ids) {
            addresses.put(layout.broker(id), layout.brokerAddress(id));
        }
        Map<Integer, String> httpUrls = new LinkedHashMap<>();
        for (int id : ids) {
            layout.brokerHttpUrl(id).ifPresent(url -> httpUrls.put(id, url));
        }
        for (ClusterProcess p : toStart) {
            List<String> used = new ArrayList<>(List.of(addresses.get(p)));
            for (int id : httpUrls.keySet()) {
                if (p.equals(layout.broker(id))) {
                    used.add(httpUrls.get(id)
                            .substring("http://".length(), httpUrls.get(id).length() - 1));
                }
            }
            for (String address : used) {
                if (SocketProbes.portOpen(address)) {
                    throw new ClusterException(p.pretty() + " cannot start: " + address
                            + " is already in use by another process"
                            + " (pick other ports: --zk-port, --base-port, with a new --dir)");
                }
            }
        }

        // ZooKeeper
        ClusterProcess zookeeper = layout.zooKeeper();
        Launched zkLaunched = null;
        Optional<ProcessHandle> zkRunning = processes.running(zookeeper);
        if (zkRunning.isPresent()) {
            console.say("zookeeper: already running (pid " + zkRunning.get().pid() + ", 127.0.0.1:" + zkPort + ")");
        } else {
            zkLaunched = processes.launch(zookeeper, script("strand-zookeeper"), Map.of());
            console.say("zookeeper: started (pid " + zkLaunched.pid() + ", 127.0.0.1:" + zkPort + ", log "
                    + zookeeper.logFile() + ")");
        }
        while (!SocketProbes.zooKeeperServing(zkPort)) {
            if (processes.exited(zookeeper, zkLaunched)) {
                return failed("zookeeper exited while starting", zookeeper);
            }
            if (pastDeadline()) {
                return failed(
                        "zookeeper does not serve on 127.0.0.1:" + zkPort + " after " + timeoutSeconds + "s",
                        zookeeper);
            }
            ProcessControl.sleep(POLL_MS);
        }

        if (secure) {
            storeScramUsers(security, zkPort);
        }

        // brokers
        Map<Integer, Launched> started = new LinkedHashMap<>();
        for (int id : ids) {
            ClusterProcess broker = layout.broker(id);
            String address = addresses.get(broker);
            Optional<ProcessHandle> running = processes.running(broker);
            if (running.isPresent()) {
                console.say("broker " + id + ": already running (pid "
                        + running.get().pid() + ", " + address + ")");
            } else {
                Launched launched = processes.launch(broker, script("strand-broker"), Map.of());
                console.say("broker " + id + ": started (pid " + launched.pid() + ", " + address + ", log "
                        + broker.logFile() + ")");
                started.put(id, launched);
            }
        }

        // wait for the new brokers to listen (and notice one that dies)
        for (Map.Entry<Integer, Launched> e : started.entrySet()) {
            ClusterProcess broker = layout.broker(e.getKey());
            String address = addresses.get(broker);
            while (!SocketProbes.portOpen(address)) {
                if (processes.exited(broker, e.getValue())) {
                    return failed("broker " + e.getKey() + " exited while starting", broker);
                }
                if (pastDeadline()) {
                    return failed(
                            "broker " + e.getKey() + " does not listen on " + address + " after " + timeoutSeconds
                                    + "s",
                            broker);
                }
                ProcessControl.sleep(POLL_MS);
            }
        }

        // every broker answers a Kafka request that lists all of them
        List<String> bootstrap = new ArrayList<>();
        ids.forEach(id -> bootstrap.add(addresses.get(layout.broker(id))));
        long leftSeconds = Math.max(MIN_PROBE_SECONDS, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
        console.say("waiting until each broker lists all " + ids.size() + " brokers...");
        ClusterProbe.quietClientLogging();
        ByteArrayOutputStream probeOutput = new ByteArrayOutputStream();
        int probe;
        try (PrintStream capture = new PrintStream(probeOutput, true, StandardCharsets.UTF_8)) {
            probe = ClusterProbe.await(
                    bootstrap,
                    ids.size(),
                    new TreeSet<>(ids),
                    TimeUnit.SECONDS.toMillis(leftSeconds),
                    secure ? properties(security.adminClientProperties()) : new Properties(),
                    capture,
                    capture);
        }
        String probeOut = probeOutput.toString(StandardCharsets.UTF_8).stripTrailing();
        if (probe != 0) {
            console.error("the brokers did not all answer in time:");
            console.say(probeOut);
            for (int id : ids) {
                ClusterProcess broker = layout.broker(id);
                if (processes.running(broker).isEmpty()) {
                    console.error("broker " + id + " is not running");
                    console.showLogTail(broker);
                }
            }
            for (int id : started.keySet()) {
                ClusterProcess broker = layout.broker(id);
                if (processes.running(broker).isPresent()) {
                    console.showLogTail(broker);
                }
            }
            console.say("(what runs keeps running: bin/strand-cluster stop --dir " + layout.dir() + ")");
            return LocalCluster.FAILED;
        }
        probeOut.lines().forEach(l -> console.say("  " + l));
        httpUrls.forEach((id, url) -> console.say(
                "broker " + id + ": " + url + " (metrics at " + url + "metrics, status page at " + url + ")"));
        console.say("cluster ready: ZooKeeper 127.0.0.1:" + zkPort + "/strand, " + ids.size() + " brokers"
                + (secure
                        ? " over SASL_SSL (admin client properties: " + layout.clientAdminProperties()
                                + "; ZooKeeper credentials: --zk-credentials-file " + security.zooKeeperDigest() + ")"
                        : "")
                + "; bootstrap servers:");
        console.result(bootstrap.stream().collect(Collectors.joining(",")));
        return LocalCluster.OK;
    }

    /** The security files of a secured cluster, generated where missing ({@link SecureClusterFiles}). */
    private SecureClusterFiles securityFiles(List<Integer> ids) throws IOException, ClusterException {
        SecureClusterFiles security = new SecureClusterFiles(layout);
        try {
            security.ensure(ids);
        } catch (GeneralSecurityException e) {
            throw new ClusterException(
                    "cannot generate the security files in " + layout.securityDir() + ": " + e.getMessage());
        }
        console.say("security: CA, keystores and passwords in " + layout.securityDir() + " (owner only)");
        return security;
    }

    /** A secured broker's settings: the locked-down ZooKeeper, then TLS, SASL and ACLs. */
    private static Map<String, String> brokerSecuritySettings(SecureClusterFiles security, int id, int port) {
        Map<String, String> s = new LinkedHashMap<>(security.zooKeeperSettings());
        s.putAll(security.brokerSecuritySettings(id, port));
        return s;
    }

    /**
     * MERGE POINT (issue 16, SASL/SCRAM): stores the SCRAM-SHA-256 and SCRAM-SHA-512 credentials of
     * {@value SecureClusterFiles#ADMIN_USER} ({@link SecureClusterFiles#adminPassword()}) and of the
     * inter-broker user {@value SecureClusterFiles#BROKER_USER} ({@link
     * SecureClusterFiles#brokerPassword()}) in ZooKeeper ({@code /config/users/<user>}, Kafka's
     * layout) before a broker starts, if absent, through the SASL work's credential store. The client
     * connects with the brokers' ZooKeeper identity, so the znodes get the brokers' ACLs (readable by
     * nobody else). Not wired on this branch: the start stops here, saying so.
     */
    private void storeScramUsers(SecureClusterFiles security, int zkPort) throws ClusterException {
        ZooKeeperClientOptions identity = ZooKeeperClientOptions.digest(security.zooKeeperCredentials(), true);
        try (CuratorFramework zk =
                ZooKeeperConnection.connect("127.0.0.1:" + zkPort + "/strand", 30_000, 10_000, identity)) {
            ChrootWriteAccess.require(zk, "strand", identity);
            // salted credentials only; an existing credential (a restart) is left alone
            ScramCredentialStore users = new ScramCredentialStore(new MetadataStore(zk));
            for (ScramMechanism m : ScramMechanism.values()) {
                users.createIfAbsent(
                        SecureClusterFiles.ADMIN_USER,
                        m,
                        security.adminPassword(),
                        ScramCredentialStore.DEFAULT_ITERATIONS);
                users.createIfAbsent(
                        SecureClusterFiles.BROKER_USER,
                        m,
                        security.brokerPassword(),
                        ScramCredentialStore.DEFAULT_ITERATIONS);
            }
        } catch (MetadataStoreException e) {
            throw new ClusterException("start --secure: ZooKeeper 127.0.0.1:" + zkPort + ": " + e.getMessage());
        }
    }

    private static Properties properties(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        return p;
    }

    private int failed(String message, ClusterProcess p) {
        console.error(message);
        console.showLogTail(p);
        return LocalCluster.FAILED;
    }

    private boolean pastDeadline() {
        return System.nanoTime() - deadline >= 0;
    }

    private Path script(String name) throws ClusterException {
        if (home == null) {
            throw new ClusterException("cannot start processes: the launcher runs without strand.home"
                    + " (run it through bin/strand-cluster)");
        }
        return home.resolve("bin").resolve(name);
    }

    /** The client port in zoo.cfg (written above when missing). */
    private int zooKeeperPort() throws IOException, ClusterException {
        return recordedNumber(layout.zooKeeperPort(), "clientPort", layout.zooKeeperConfig())
                .orElseThrow(() -> new ClusterException(layout.zooKeeperConfig() + " has no clientPort"));
    }

    private Optional<Integer> recordedInt(String key, Path file) throws IOException, ClusterException {
        return recordedNumber(layout.recorded(key), key, file);
    }

    private static Optional<Integer> recordedNumber(Optional<String> value, String key, Path file)
            throws ClusterException {
        if (value.isEmpty() || value.get().isEmpty()) {
            return Optional.empty();
        }
        Optional<Integer> n = ClusterLayout.uint(value.get());
        if (n.isEmpty()) {
            throw new ClusterException(file + ": " + key + " is not a number: " + value.get());
        }
        return n;
    }
}
