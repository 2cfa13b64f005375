package io.strand.tools;

import static io.strand.tools.CliHarness.assertOneLineError;
import static io.strand.tools.CliHarness.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of the admin commands: exit 2, one line naming the flag and the problem, no cluster needed. */
class AdminCommandUsageTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameMissingAndConflictingFlags() {
        assertOneLineError(run("topics", "delete"), 2, "missing required flag --topic", "strand topics delete --help");
        assertOneLineError(
                run("topics", "alter", "-t", "orders"),
                2,
                "nothing to change: give --partitions, --config or --delete-config");
        assertOneLineError(
                run("topics", "alter", "-t", "orders", "--partitions", "0"), 2, "--partitions must be at least 1");
        assertOneLineError(
                run("topics", "alter", "-t", "orders", "--config", "retention.ms=1", "--delete-config", "retention.ms"),
                2,
                "retention.ms is given to both --config and --delete-config");
        assertOneLineError(run("configs", "get"), 2, "give exactly one of --topic, --broker or --broker-default");
        assertOneLineError(run("configs", "get", "--topic", "a", "--broker", "1"), 2, "exactly one of");
        assertOneLineError(run("configs", "get", "--broker", "x"), 2, "--broker", "x");
        assertOneLineError(run("configs", "set", "--topic", "a"), 2, "missing required flag --config");
        assertOneLineError(run("configs", "set", "--topic", "a", "--config", "retention.ms"), 2, "NAME=VALUE");
        assertOneLineError(
                run("configs", "delete", "--topic", "a", "--config", "retention.ms=1"), 2, "give only the NAME");
        assertOneLineError(run("reassign", "execute"), 2, "missing required flag --reassignment-json-file");
        assertOneLineError(
                run("reassign", "generate", "--broker-list", "1,2"),
                2,
                "give either --topics or --topics-to-move-json-file");
        assertOneLineError(
                run("reassign", "generate", "--topics", "a", "--broker-list", "1,x"),
                2,
                "--broker-list 1,x: expected distinct broker ids");
        assertOneLineError(
                run("reassign", "cancel"), 2, "give either --reassignment-json-file or --topic with --partition");
        assertOneLineError(run("reassign", "cancel", "--topic", "a"), 2, "--topic and --partition go together");
        assertOneLineError(run("elect-leaders"), 2, "give either --topic [--partition] or --all");
        assertOneLineError(run("elect-leaders", "--all", "--topic", "a"), 2, "either --topic [--partition] or --all");
        assertOneLineError(run("elect-leaders", "--partition", "1", "--all"), 2, "--partition needs --topic");
        assertOneLineError(
                run("cluster", "describe", "--bootstrap-server", "a:1", "--zookeeper", "b:2/s"),
                2,
                "either --bootstrap-server or --zookeeper");
        assertOneLineError(
                run("reassign"), 2, "'strand reassign' needs a subcommand: generate, execute, status, cancel");
    }

    @Test
    void shouldNameTheProblemInAPlanFile() throws Exception {
        Path missing = dir.resolve("missing.json");
        assertPlanError("execute", missing, "--reassignment-json-file " + missing, "cannot read the file");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"version\":1,\"partitions\":[{\"topic\":\"a\",");
        assertPlanError("execute", broken, "--reassignment-json-file " + broken, "at line 1");
        assertPlanError(
                "status",
                plan("no-replicas.json", "{\"topic\":\"orders\",\"partition\":0}"),
                "orders-0 has no \"replicas\" list");
        assertPlanError(
                "cancel",
                plan("twice.json", "{\"topic\":\"orders\",\"partition\":0,\"replicas\":[1,1]}"),
                "orders-0 names broker 1 twice");
        assertPlanError(
                "execute",
                plan(
                        "dirs.json",
                        "{\"topic\":\"orders\",\"partition\":0,\"replicas\":[1,2],\"log_dirs\":[\"/data/1\"]}"),
                "orders-0 has 1 log_dirs for 2 replicas");
        Path topics = Files.writeString(dir.resolve("topics.json"), "{\"topic\":\"orders\"}");
        assertOneLineError(
                run("reassign", "generate", "--topics-to-move-json-file", topics.toString(), "--broker-list", "1"),
                2,
                "expected {\"topics\":[{\"topic\":\"NAME\"}],\"version\":1}");
    }

    /** A plan file {@code name} moving the one partition {@code partition} (its JSON object). */
    private Path plan(String name, String partition) throws Exception {
        return Files.writeString(dir.resolve(name), "{\"version\":1,\"partitions\":[" + partition + "]}");
    }

    /** {@code reassign COMMAND --reassignment-json-file PLAN} is a usage error naming every fragment. */
    private static void assertPlanError(String command, Path plan, String... fragments) {
        assertOneLineError(run("reassign", command, "--reassignment-json-file", plan.toString()), 2, fragments);
    }
}
