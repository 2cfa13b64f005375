package io.strand.tools.launcher;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.slf4j.LoggerFactory;

/**
 * Waits until every given broker answers a Kafka request that lists the cluster's brokers, and
 * until each of them lists the expected brokers. {@code bin/strand-cluster start} ({@link LocalCluster})
 * calls it in its own JVM; its main serves scripts that wait for another Kafka-compatible cluster.
 *
 * <p>Each address is asked on its own (an {@link Admin} client bootstrapped with that address
 * only), with {@code describeCluster()}; the client falls back to a Metadata request when the
 * broker does not implement DescribeCluster. Exit status 0 when all answered in time, 1 when not,
 * 2 on bad usage.
 *
 * <p>Threading: runs on the calling thread (each Admin client has its own network thread).
 *
 * <pre>
 * ClusterProbe --bootstrap 127.0.0.1:9092,127.0.0.1:9093 [--brokers N] [--ids 1,2] [--timeout-ms 60000]
 * </pre>
 */
public final class ClusterProbe {
    static final String USAGE = """
        usage: ClusterProbe --bootstrap HOST:PORT[,HOST:PORT...] [--brokers N] [--ids ID,ID...] [--timeout-ms MS]
          Waits until each broker in --bootstrap answers and lists at least N brokers
          (default: as many as --bootstrap names), including every id of --ids.
          Exit 0: all did within the timeout (default 60000 ms); 1: not; 2: bad usage.""";

    private ClusterProbe() {}

    public static void main(String[] args) {
        quietClientLogging();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the probe; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options opts;
        try {
            opts = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("ClusterProbe: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (opts == null) {
            out.println(USAGE);
            return 0;
        }
        return await(opts, out, err);
    }

    /**
     * Waits until each of {@code addresses} lists at least {@code brokers} brokers, including every
     * id of {@code ids}; one line per address, on {@code out} when it did, on {@code err} when not.
     *
     * @return 0 when all did within {@code timeoutMs}, 1 when not
     */
    static int await(
            List<String> addresses, int brokers, Set<Integer> ids, long timeoutMs, PrintStream out, PrintStream err) {
        return await(addresses, brokers, ids, timeoutMs, new Properties(), out, err);
    }

    /**
     * As {@link #await(List, int, Set, long, PrintStream, PrintStream)}, the Admin clients made with
     * {@code client} (Kafka client properties: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}).
     */
    static int await(
            List<String> addresses,
            int brokers,
            Set<Integer> ids,
            long timeoutMs,
            Properties client,
            PrintStream out,
            PrintStream err) {
        Options opts = new Options();
        opts.client.putAll(client);
        opts.addresses.addAll(addresses);
        opts.brokers = brokers;
        opts.ids.addAll(ids);
        opts.timeoutMs = timeoutMs;
        return await(opts, out, err);
    }

    private static int await(Options opts, PrintStream out, PrintStream err) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(opts.timeoutMs);
        boolean allOk = true;
        for (String address : opts.addresses) {
            Result r = probe(address, opts, deadline);
            if (r.ok) {
                out.println(address + ": " + r.nodes.size() + " brokers " + ids(r.nodes));
            } else {
                allOk = false;
                err.println(address + ": " + r.problem);
            }
        }
        return allOk ? 0 : 1;
    }

    private record Result(boolean ok, Collection<Node> nodes, String problem) {}

    private static Result probe(String address, Options opts, long deadline) {
        Properties p = new Properties();
        p.putAll(opts.client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "strand-cluster-probe");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "200");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, "5000");
        if (deadline - System.nanoTime() <= 0) {
            return new Result(
                    false, List.of(), "not asked: the " + opts.timeoutMs + " ms were spent on the brokers before");
        }
        String problem = "no answer";
        try (Admin admin = Admin.create(p)) {
            while (true) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    return new Result(false, List.of(), problem + " (gave up after " + opts.timeoutMs + " ms)");
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(
                                    new DescribeClusterOptions().timeoutMs((int) Math.min(leftMs, 5000)))
                            .nodes()
                            .get();
                    Set<Integer> seen = nodes.stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
                    if (nodes.size() >= opts.brokers && seen.containsAll(opts.ids)) {
                        return new Result(true, nodes, null);
                    }
                    problem = "lists " + nodes.size() + " brokers " + seen + ", waiting for "
                            + (opts.ids.isEmpty() ? opts.brokers + "" : opts.brokers + " including " + opts.ids);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause() == null ? e : e.getCause();
                    problem = c.getClass().getSimpleName() + ": " + c.getMessage();
                }
                sleep(Math.min(250, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, List.of(), "interrupted");
        } catch (RuntimeException e) {
            return new Result(false, List.of(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String ids(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).sorted().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }

    private static void sleep(long ms) throws InterruptedException {
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** The Kafka client logs every refused connection while brokers come up; the probe reports itself. */
    static void quietClientLogging() {
        Object root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    static final class Options {
        final List<String> addresses = new ArrayList<>();
        int brokers = -1;
        final Set<Integer> ids = new TreeSet<>();
        long timeoutMs = 60_000;
        final Properties client = new Properties();

        /** Returns null for --help. */
        static Options parse(String[] args) {
            Options o = new Options();
            Map<String, String> seen = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    return null;
                }
                if (!Set.of("--bootstrap", "--brokers", "--ids", "--timeout-ms").contains(a)) {
                    throw new IllegalArgumentException("unknown argument " + a);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                seen.put(a, args[++i]);
            }
            String bootstrap = seen.get("--bootstrap");
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new IllegalArgumentException("--bootstrap is required");
            }
            for (String s : bootstrap.split(",")) {
                if (!s.isBlank()) {
                    String addr = s.trim();
                    if (addr.lastIndexOf(':') <= 0) {
                        throw new IllegalArgumentException("not HOST:PORT: " + addr);
                    }
                    o.addresses.add(addr);
                }
            }
            o.brokers =
                    seen.containsKey("--brokers") ? positive("--brokers", seen.get("--brokers")) : o.addresses.size();
            if (seen.containsKey("--ids")) {
                for (String s : seen.get("--ids").split(",")) {
                    if (!s.isBlank()) {
                        o.ids.add(nonNegative("--ids", s.trim()));
                    }
                }
            }
            if (seen.containsKey("--timeout-ms")) {
                o.timeoutMs = positive("--timeout-ms", seen.get("--timeout-ms"));
            }
            return o;
        }

        private static int positive(String key, String v) {
            int n = nonNegative(key, v);
            if (n == 0) {
                throw new IllegalArgumentException(key + " must be positive: " + v);
            }
            return n;
        }

        private static int nonNegative(String key, String v) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n < 0) {
                    throw new IllegalArgumentException(key + " must not be negative: " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " is not a number: " + v);
            }
        }
    }

    /** For tests: the brokers an address lists, or an exception. */
    static List<Integer> brokerIds(String address, Duration timeout) throws Exception {
        Options o = Options.parse(new String[] {
            "--bootstrap", address, "--brokers", "1", "--timeout-ms", String.valueOf(timeout.toMillis())
        });
        Result r = probe(address, o, System.nanoTime() + timeout.toNanos());
        if (!r.ok) {
            throw new IllegalStateException(r.problem);
        }
        return r.nodes.stream().map(Node::id).sorted().toList();
    }
}
