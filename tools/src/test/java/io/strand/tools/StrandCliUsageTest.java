package io.strand.tools;

import static io.strand.tools.CliHarness.assertOneLineError;
import static io.strand.tools.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Usage errors exit 2 with one line and no stack trace; --help works everywhere; unreachable clusters exit 1. */
class StrandCliUsageTest {
    /** The commands whose help is checked, as the command line names them. */
    static List<String> commands() {
        return List.of(
                "topics create",
                "topics list",
                "topics describe",
                "topics delete",
                "topics alter",
                "configs get",
                "configs set",
                "configs delete",
                "reassign generate",
                "reassign execute",
                "reassign status",
                "reassign cancel",
                "elect-leaders",
                "cluster describe",
                "zk ls",
                "zk get",
                "watch",
                "check");
    }

    @Test
    void shouldExit2WithoutACommand() {
        CliHarness.Result r = run();
        assertEquals(StrandCli.USAGE, r.code(), r::toString);
        assertTrue(r.err().contains("error: no command given"), r::toString);
        assertTrue(r.err().contains("Usage: strand <command>"), r::toString);
    }

    @Test
    void shouldNameAnUnknownCommand() {
        assertOneLineError(
                run("frobnicate"),
                2,
                "unknown command 'frobnicate'",
                "topics, configs, reassign, elect-leaders, cluster, zk, watch");
        assertOneLineError(
                run("topics", "frob"),
                2,
                "unknown command 'strand topics frob'",
                "create, list, describe, delete, alter");
        assertOneLineError(run("zk"), 2, "'strand zk' needs a subcommand: ls, get");
    }

    @Test
    void shouldNameAnUnknownFlag() {
        assertOneLineError(run("topics", "list", "--bogus"), 2, "unknown flag --bogus", "strand topics list --help");
        assertOneLineError(run("zk", "ls", "--bogus", "/"), 2, "unknown flag --bogus");
        assertOneLineError(run("watch", "--frob"), 2, "unknown flag --frob");
    }

    @Test
    void shouldNameAMissingRequiredFlag() {
        assertOneLineError(run("topics", "create"), 2, "missing required flag --topic", "strand topics create --help");
        assertOneLineError(run("topics", "create", "--topic"), 2, "--topic");
        assertOneLineError(run("zk", "get"), 2, "missing PATH");
    }

    @Test
    void shouldRejectBadFlagValues() {
        assertOneLineError(run("topics", "create", "-t", "a", "--partitions", "abc"), 2, "--partitions", "abc");
        assertOneLineError(
                run("topics", "create", "-t", "a", "--partitions", "0"), 2, "--partitions must be at least 1");
        assertOneLineError(
                run("topics", "create", "-t", "a", "--replica-assignment", "0:x,1:2"),
                2,
                "--replica-assignment",
                "partition 0");
        assertOneLineError(
                run("topics", "create", "-t", "a", "--replica-assignment", "0:1", "--partitions", "2"),
                2,
                "--replica-assignment replaces --partitions");
        assertOneLineError(run("topics", "create", "-t", "a", "--config", "retention.ms"), 2, "NAME=VALUE");
        assertOneLineError(run("topics", "list", "--bootstrap-server", "localhost"), 2, "is not HOST:PORT");
        assertOneLineError(
                run("topics", "list", "--bootstrap-server", "a:1", "--zookeeper", "b:2/strand"),
                2,
                "either --bootstrap-server or --zookeeper");
        assertOneLineError(run("zk", "get", "topics"), 2, "bad znode path 'topics'");
        assertOneLineError(run("zk", "ls", "/a", "/b"), 2, "expected one PATH");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void shouldPrintHelpForEveryCommand(String command) {
        for (String flag : new String[] {"--help", "-h"}) {
            CliHarness.Result r = run(CliHarness.with(command.split(" "), flag));
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().contains("Usage: strand " + command + " [options]"), r::toString);
            assertTrue(r.out().contains("--verbose"), r::toString);
            assertEquals("", r.err(), r::toString);
        }
    }

    @Test
    void shouldPrintHelpForTheToolAndEachGroup() {
        CliHarness.Result all = run("--help");
        assertEquals(0, all.code(), all::toString);
        for (String c : commands()) {
            assertTrue(all.out().contains("  " + c + " "), () -> c + " missing from\n" + all);
        }
        CliHarness.Result topics = run("topics", "-h");
        assertEquals(0, topics.code(), topics::toString);
        assertTrue(topics.out().contains("Usage: strand topics <create|list|describe|delete|alter>"), topics::toString);
    }

    @Test
    void shouldExit1InOneLineWhenZooKeeperIsUnreachable() throws IOException {
        String connect = "127.0.0.1:" + closedPort() + "/strand";
        assertOneLineError(
                run("topics", "list", "--zookeeper", connect, "--timeout-ms", "500"),
                1,
                "cluster unreachable",
                "could not connect to ZooKeeper");
        assertOneLineError(
                run("zk", "get", "/cluster/id", "--zookeeper", connect, "--timeout-ms", "500"),
                1,
                "cluster unreachable");
    }

    @Test
    void shouldExit1InOneLineWhenTheBrokerIsUnreachable() throws IOException {
        String bootstrap = "127.0.0.1:" + closedPort();
        assertOneLineError(
                run("topics", "list", "--bootstrap-server", bootstrap, "--timeout-ms", "1000"),
                1,
                "cluster unreachable",
                bootstrap,
                "listing topics");
        assertOneLineError(
                run("topics", "create", "-t", "t", "--bootstrap-server", bootstrap, "--timeout-ms", "1000"),
                1,
                "cluster unreachable",
                "creating topic 't'");
        assertOneLineError(
                run("check", "--bootstrap-server", bootstrap, "--timeout-ms", "1000"),
                1,
                "cluster unreachable",
                "describing topic strand-check");
    }

    @Test
    void shouldPrintTheStackTraceOnlyWithVerbose() throws IOException {
        String connect = "127.0.0.1:" + closedPort() + "/strand";
        CliHarness.Result r = run("topics", "list", "--zookeeper", connect, "--timeout-ms", "300", "--verbose");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("\tat "), r::toString);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
