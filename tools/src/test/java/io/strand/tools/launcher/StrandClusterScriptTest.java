package io.strand.tools.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.testing.SystemTest;
import io.strand.testing.Wait;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bin/strand-cluster} as a user would — start, produce and consume with the Kafka
 * client, status, a second start, a broker killed and started again, stop, start on the stopped
 * cluster's data, stop — with real ZooKeeper and broker processes on free loopback ports.
 *
 * <p>The scripts run the JVMs (the launcher, ZooKeeper, the brokers) with this test's own classpath
 * (STRAND_SERVER_CLASSPATH, STRAND_TOOLS_CLASSPATH): during {@code mvn test} the module jars may not
 * be built yet, and built jars could be stale. Everything else is the script as shipped.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@SystemTest
class StrandClusterScriptTest {
    private static final int BROKERS = 3;
    private static final String TOPIC = "strand-cluster-script-test";
    private static final int RECORDS = 30;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(200);

    @TempDir
    Path tmp;

    private Path repoRoot;
    private Path script;
    private Path clusterDir;
    private int zkPort;
    private int basePort;
    private final Set<Long> recordedPids = new LinkedHashSet<>();
    private int runs;

    @BeforeEach
    void setUp() throws IOException {
        repoRoot = findRepoRoot();
        script = repoRoot.resolve("bin/strand-cluster");
        assertTrue(Files.isExecutable(script), script + " is not executable");
        clusterDir = tmp.resolve("cluster");
        pickPorts();
    }

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        try {
            if (Files.isDirectory(clusterDir.resolve("pids"))) {
                recordPids();
                Result r = run("stop", "--dir", clusterDir.toString(), "--timeout", "20");
                if (r.exit != 0) {
                    System.out.println("cleanup: strand-cluster stop exited " + r.exit + "\n" + r.err);
                }
            }
        } finally {
            // whatever survived the script: only processes of this test's cluster dir
            for (long pid : recordedPids) {
                ProcessHandle.of(pid)
                        .filter(ProcessHandle::isAlive)
                        .filter(h -> h.info()
                                .commandLine()
                                .map(c -> c.contains(clusterDir.toString()))
                                .orElse(false))
                        .ifPresent(h -> {
                            System.out.println("cleanup: killing leftover pid " + pid);
                            h.destroyForcibly();
                        });
            }
        }
    }

    @Test
    void startProduceConsumeStatusRestartStop() throws Exception {
        String expectedBootstrap = expectedBootstrap();

        // --- start: ZooKeeper + 3 brokers, bootstrap on stdout
        long t0 = System.nanoTime();
        Result start = start();
        assertEquals(0, start.exit, "start failed:\n" + start.err);
        assertEquals(expectedBootstrap, start.out.strip(), "stdout of start");
        for (int i = 1; i <= BROKERS; i++) {
            String url = httpUrl(i);
            assertTrue(
                    start.err.contains("broker " + i + ": " + url + " (metrics at " + url + "metrics, status page at "
                            + url + ")"),
                    start.err);
        }
        System.out.printf("first start took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        Map<String, Long> pids = readPids();
        assertEquals(Set.of("zookeeper", "broker-1", "broker-2", "broker-3"), pids.keySet());
        for (var e : pids.entrySet()) {
            assertTrue(isAlive(e.getValue()), e.getKey() + " (pid " + e.getValue() + ") is not alive");
        }
        assertTrue(Files.isRegularFile(clusterDir.resolve("logs/zookeeper.log")));
        for (int i = 1; i <= BROKERS; i++) {
            assertTrue(Files.isRegularFile(clusterDir.resolve("logs/broker-" + i + ".log")));
            assertTrue(Files.isRegularFile(clusterDir.resolve("broker-" + i + "/server.properties")));
            assertTrue(Files.isDirectory(clusterDir.resolve("broker-" + i + "/data")));
        }

        // every broker lists all three
        for (String address : expectedBootstrap.split(",")) {
            assertEquals(List.of(1, 2, 3), ClusterProbe.brokerIds(address, Duration.ofSeconds(30)), address);
        }

        // --- records round-trip through the Java client
        List<String> sent = produce(expectedBootstrap, "a");
        assertEquals(sent, sortedValues(consumeAll(expectedBootstrap, RECORDS)));

        // --- each broker's Prometheus metrics at the address start printed
        for (int i = 1; i <= BROKERS; i++) {
            java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(httpUrl(i) + "metrics"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(
                    metrics.body().contains("kafka_server_replicamanager_underreplicatedpartitions "), metrics.body());
        }

        // --- status: all running, with pids and ports
        Result status = run("status", "--dir", clusterDir.toString());
        assertEquals(0, status.exit, "status:\n" + status.out + status.err);
        assertTrue(
                status.out.matches("(?s).*zookeeper\\s+running\\s+pid " + pids.get("zookeeper") + "\\s+127\\.0\\.0\\.1:"
                        + zkPort + ".*"),
                status.out);
        for (int i = 1; i <= BROKERS; i++) {
            assertTrue(
                    status.out.matches("(?s).*broker " + i + "\\s+running\\s+pid " + pids.get("broker-" + i)
                            + "\\s+127\\.0\\.0\\.1:" + (basePort + i - 1) + "\\s+listening\\s+"
                            + java.util.regex.Pattern.quote(httpUrl(i)) + "\n.*"),
                    status.out);
        }

        // --- a second start: everything already runs, nothing new
        Result again = start();
        assertEquals(0, again.exit, "second start:\n" + again.err);
        assertEquals(expectedBootstrap, again.out.strip());
        assertTrue(again.err.contains("zookeeper: already running (pid " + pids.get("zookeeper")), again.err);
        for (int i = 1; i <= BROKERS; i++) {
            assertTrue(
                    again.err.contains("broker " + i + ": already running (pid " + pids.get("broker-" + i)), again.err);
        }
        assertEquals(pids, readPids());

        // --- a broker that died is started again, the others are left alone
        long deadPid = pids.get("broker-2");
        ProcessHandle.of(deadPid).orElseThrow().destroyForcibly();
        waitUntilDead(deadPid, Duration.ofSeconds(20));
        Result partial = run("status", "--dir", clusterDir.toString());
        assertEquals(1, partial.exit, "status with broker 2 dead:\n" + partial.out);
        assertTrue(partial.out.matches("(?s).*broker 2\\s+stopped.*"), partial.out);
        Result restart = start();
        assertEquals(0, restart.exit, "start after broker 2 died:\n" + restart.err);
        assertTrue(restart.err.contains("broker 2: started"), restart.err);
        assertTrue(restart.err.contains("broker 1: already running"), restart.err);
        assertTrue(restart.err.contains("broker 3: already running"), restart.err);
        Map<String, Long> pidsAfterRestart = readPids();
        assertNotEquals(deadPid, pidsAfterRestart.get("broker-2"));
        assertEquals(pids.get("broker-1"), pidsAfterRestart.get("broker-1"));
        // acknowledged records survive the kill -9 of their leader
        assertEquals(sent, sortedValues(consumeAll(expectedBootstrap, RECORDS)));

        // --- stop: brokers, then ZooKeeper; every recorded pid is gone
        recordPids();
        Result stop = run("stop", "--dir", clusterDir.toString());
        assertEquals(0, stop.exit, "stop:\n" + stop.err);
        assertTrue(
                stop.err.indexOf("zookeeper: stopping") > stop.err.lastIndexOf("broker 3: stopping"),
                "ZooKeeper must be stopped after the brokers:\n" + stop.err);
        for (long pid : recordedPids) {
            assertFalse(isAlive(pid), "pid " + pid + " still runs after stop");
        }
        Result stopped = run("status", "--dir", clusterDir.toString());
        assertEquals(3, stopped.exit, "status of a stopped cluster:\n" + stopped.out);

        // --- start on the stopped cluster's dir: same data, records still there
        Result reuse = start();
        assertEquals(0, reuse.exit, "start on a stopped cluster:\n" + reuse.err);
        assertEquals(expectedBootstrap, reuse.out.strip());
        List<String> more = produce(expectedBootstrap, "b");
        List<String> all = new ArrayList<>(sent);
        all.addAll(more);
        all.sort(null);
        assertEquals(all, sortedValues(consumeAll(expectedBootstrap, 2 * RECORDS)));

        recordPids();
        Result finalStop = run("stop", "--dir", clusterDir.toString());
        assertEquals(0, finalStop.exit, "stop:\n" + finalStop.err);
        for (long pid : recordedPids) {
            assertFalse(isAlive(pid), "pid " + pid + " still runs after stop");
        }
        try (Stream<Path> left = Files.list(clusterDir.resolve("pids"))) {
            assertTrue(left.findAny().isEmpty(), "pid files left after stop");
        }
    }

    // ------------------------------------------------------------------ the script

    private record Result(int exit, String out, String err) {}

    private Result start() throws Exception {
        return run(
                "start",
                "--brokers",
                String.valueOf(BROKERS),
                "--dir",
                clusterDir.toString(),
                "--zk-port",
                String.valueOf(zkPort),
                "--base-port",
                String.valueOf(basePort),
                "--timeout",
                "150");
    }

    private Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        int n = ++runs;
        Path out = tmp.resolve("run-" + n + ".out");
        Path err = tmp.resolve("run-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        String classpath = TestClasspath.runtime();
        env.put("STRAND_SERVER_CLASSPATH", classpath);
        env.put("STRAND_TOOLS_CLASSPATH", classpath);
        env.put("STRAND_HEAP_OPTS", "-Xms64m -Xmx512m");
        env.put("STRAND_ZK_HEAP_OPTS", "-Xms32m -Xmx256m");
        env.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        System.out.println("$ bin/strand-cluster " + String.join(" ", args));
        Process p = pb.start();
        if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new TimeoutException("bin/strand-cluster " + String.join(" ", args) + " did not finish in "
                    + SCRIPT_TIMEOUT + "; stderr:\n" + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.print(r.out);
        System.out.print(r.err);
        System.out.println("(exit " + r.exit + ")");
        if (Files.isDirectory(clusterDir.resolve("pids"))) {
            recordPids();
        }
        return r;
    }

    private Map<String, Long> readPids() throws IOException {
        Map<String, Long> pids = new TreeMap<>();
        try (Stream<Path> files = Files.list(clusterDir.resolve("pids"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pid"))
                    .toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.pid$", "");
                pids.put(
                        name,
                        Long.parseLong(
                                Files.readString(f, StandardCharsets.US_ASCII).strip()));
            }
        }
        return pids;
    }

    private void recordPids() throws IOException {
        recordedPids.addAll(readPids().values());
    }

    /**
     * Whether the process runs. A process that ended but is not reaped yet (a zombie: the stopped
     * JVMs are children of init, which reaps them when it gets to it) counts as ended, as it does
     * for the script.
     */
    private static boolean isAlive(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !(state.startsWith("Z") || state.startsWith("X"));
        } catch (IOException | RuntimeException e) {
            return h.get().isAlive();
        }
    }

    private static void waitUntilDead(long pid, Duration timeout) throws InterruptedException {
        Wait.waitUntil("pid " + pid + " is gone", timeout, () -> !isAlive(pid));
    }

    // ------------------------------------------------------------------ the client side

    private List<String> produce(String bootstrap, String prefix) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "45000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        List<String> values = new ArrayList<>();
        Set<Integer> partitions = new TreeSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                String value = String.format("%s-%03d", prefix, i);
                values.add(value);
                acks.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, value)));
            }
            for (var ack : acks) {
                partitions.add(ack.get(60, TimeUnit.SECONDS).partition());
            }
        }
        System.out.println("produced " + RECORDS + " records to partitions " + partitions);
        return values;
    }

    private List<ConsumerRecord<String, String>> consumeAll(String bootstrap, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : consumer.partitionsFor(TOPIC, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(pi.topic(), pi.partition()));
            }
            assertFalse(tps.isEmpty(), "no partitions of " + TOPIC);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        assertEquals(
                expected,
                records.size(),
                "records read back: "
                        + records.stream()
                                .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting())));
        return records;
    }

    private static List<String> sortedValues(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).sorted().toList();
    }

    // ------------------------------------------------------------------ setup helpers

    private String expectedBootstrap() {
        List<String> a = new ArrayList<>();
        for (int i = 0; i < BROKERS; i++) {
            a.add("127.0.0.1:" + (basePort + i));
        }
        return String.join(",", a);
    }

    /** The test runs in tools/; the repo root is the first parent holding bin/strand-cluster. */
    private static Path findRepoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("bin/strand-cluster")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "no bin/strand-cluster above " + Path.of("").toAbsolutePath());
    }

    /** A free ZooKeeper port and BROKERS consecutive free broker ports, away from 2181 and 9092. */
    private void pickPorts() throws IOException {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int zk = rnd.nextInt(10_000, 20_000);
            // below the ephemeral range (Linux: 32768-60999), where outgoing connections take ports at any time
            int base = rnd.nextInt(20_000, 32_000);
            Map<Integer, Boolean> free = new HashMap<>();
            free.put(zk, isFree(zk));
            for (int i = 0; i < BROKERS; i++) {
                free.put(base + i, isFree(base + i));
                free.put(base + i + ClusterFiles.HTTP_PORT_OFFSET, isFree(base + i + ClusterFiles.HTTP_PORT_OFFSET));
            }
            if (!free.containsValue(false)) {
                zkPort = zk;
                basePort = base;
                return;
            }
        }
        throw new IOException("no free ports found");
    }

    /** Broker i's HTTP address, as the launcher lays it out: its Kafka port + 100. */
    private String httpUrl(int i) {
        return "http://127.0.0.1:" + (basePort + i - 1 + ClusterFiles.HTTP_PORT_OFFSET) + "/";
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }
}
