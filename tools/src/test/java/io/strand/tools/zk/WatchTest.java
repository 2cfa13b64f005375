package io.strand.tools.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.coordinator.TopicCreation;
import io.strand.coordinator.Versioned;
import io.strand.coordinator.Znodes;
import io.strand.coordinator.proto.PartitionState;
import io.strand.tools.CliHarness;
import io.strand.tools.ZooKeeperCliTest;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** watch, run on its own thread against a real ZooKeeper, prints znode changes as they happen. */
class WatchTest extends ZooKeeperCliTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (CREATED|CHANGED|DELETED) /\\S* version=\\d+ .+");

    WatchTest() {
        super(0, 1, 2);
    }

    private CliHarness.Running watch(String... args) throws InterruptedException {
        CliHarness.Running running = new CliHarness.Running(
                CliHarness.with(CliHarness.with(new String[] {"watch"}, args), "--zookeeper", cluster.connect));
        running.awaitErr("the watch to start", err -> err.contains("# watching "), WAIT);
        return running;
    }

    private static String line(List<String> lines, String type, String path) {
        return lines.stream()
                .filter(l -> l.contains(" " + type + " " + path + " version="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " " + path + " in\n" + String.join("\n", lines)));
    }

    @Test
    void shouldPrintTheExistingZnodesThenATopicCreatedLater() throws Exception {
        TopicCreation.Created old = cluster.createTopic("old", 1, 1);
        try (CliHarness.Running watch = watch()) {
            // the initial snapshot: what existed before the watch started, as CREATED
            List<String> snapshot = watch.outLines();
            assertTrue(
                    line(snapshot, "CREATED", "/topics/old")
                            .contains(" version=0 {\"topicId\":\""
                                    + old.assignment().getTopicId() + "\""),
                    String.join("\n", snapshot));
            assertTrue(
                    line(snapshot, "CREATED", "/brokers/ids/1").contains("\"brokerId\":1"),
                    String.join("\n", snapshot));

            TopicCreation.Created fresh = cluster.createTopic("fresh", 2, 2);

            watch.awaitOut(
                    "the znodes of topic fresh",
                    out -> out.contains(" /topics/fresh/partitions/1/state ")
                            && out.contains(" /config/topics/fresh ")
                            && out.contains(" /topics/fresh/partitions/0/state "),
                    WAIT);
            List<String> lines = watch.outLines();
            assertTrue(
                    line(lines, "CREATED", "/topics/fresh")
                            .contains(" version=0 {\"topicId\":\""
                                    + fresh.assignment().getTopicId() + "\",\"partitions\":{"),
                    String.join("\n", lines));
            for (int p = 0; p < 2; p++) {
                PartitionState s = cluster.store
                        .read(Znodes.partitionState("fresh", p), PartitionState.parser())
                        .orElseThrow()
                        .value();
                assertTrue(
                        line(lines, "CREATED", "/topics/fresh/partitions/" + p + "/state")
                                .endsWith(" version=0 {\"leader\":" + s.getLeader() + ",\"leaderEpoch\":0,\"isr\":"
                                        + s.getIsrList().toString().replace(" ", "")
                                        + ",\"controllerEpoch\":0,\"partitionEpoch\":0}"),
                        String.join("\n", lines));
            }
            assertTrue(line(lines, "CREATED", "/config/topics/fresh").endsWith(" version=0 {\"overrides\":{}}"));
            lines.forEach(l -> assertTrue(LINE.matcher(l).matches(), () -> "malformed line: " + l));
            assertEquals(0, watch.stop());
        }
    }

    @Test
    void shouldSkipExistingZnodesSinceNow() throws Exception {
        cluster.createTopic("old", 1, 1);
        try (CliHarness.Running watch = watch("--since-now")) {
            cluster.createTopic("fresh", 1, 1);
            watch.awaitOut("topic fresh", out -> out.contains(" /topics/fresh/partitions/0/state "), WAIT);
            List<String> lines = watch.outLines();
            assertTrue(line(lines, "CREATED", "/topics/fresh").contains(" version=0 "));
            assertTrue(
                    lines.stream()
                            .noneMatch(l ->
                                    l.contains("/topics/old") || l.contains("/brokers/") || l.contains("/cluster")),
                    () -> "pre-existing znodes printed:\n" + String.join("\n", lines));
            assertEquals(0, watch.stop());
        }
    }

    @Test
    void shouldPrintAChangedPartitionStateWithItsNewVersion() throws Exception {
        cluster.createTopic("orders", 1, 3);
        String path = Znodes.partitionState("orders", 0);
        try (CliHarness.Running watch = watch("/topics/orders", "--since-now")) {
            Versioned<PartitionState> state =
                    cluster.store.read(path, PartitionState.parser()).orElseThrow();
            PartitionState next = state.value().toBuilder()
                    .setLeader(state.value().getIsr(1))
                    .setLeaderEpoch(1)
                    .setPartitionEpoch(1)
                    .build();
            int version = cluster.store.setIfVersion(path, next, state.version());
            assertEquals(1, version);

            watch.awaitOut("the CHANGED line", out -> out.contains(" CHANGED " + path + " "), WAIT);
            String changed = line(watch.outLines(), "CHANGED", path);
            assertTrue(
                    changed.endsWith(" version=1 {\"leader\":" + next.getLeader() + ",\"leaderEpoch\":1,\"isr\":"
                            + next.getIsrList().toString().replace(" ", "")
                            + ",\"controllerEpoch\":0,\"partitionEpoch\":1}"),
                    changed);
            assertEquals(1, watch.outLines().size(), () -> "expected only the change:\n" + watch.out());
            assertEquals(0, watch.stop());
        }
    }

    @Test
    void shouldPrintJsonLinesAndDeletions() throws Exception {
        cluster.createTopic("gone", 1, 1);
        try (CliHarness.Running watch = watch("/config/topics", "--since-now", "--json")) {
            cluster.store.deleteRecursively(Znodes.topicConfig("gone"));
            watch.awaitOut("the DELETED line", out -> out.contains("\"type\":\"DELETED\""), WAIT);
            String json = watch.outLines().get(0);
            assertTrue(
                    json.matches("\\{\"time\":\"[^\"]+Z\",\"type\":\"DELETED\",\"path\":\"/config/topics/gone\","
                            + "\"version\":0,\"data\":\\{\"overrides\":\\{}}}"),
                    json);
            assertEquals(0, watch.stop());
        }
    }
}
