package io.strand.tools.reassign;

import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.JsonReader;
import io.strand.tools.cli.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A reassignment plan in the JSON format of Kafka's kafka-reassign-partitions, so plans move between
 * the two tools:
 * <pre>{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4],"log_dirs":["any","any","any"]}]}</pre>
 * {@code log_dirs} is optional on input; directories other than "any" (as in the rollback plan Kafka's
 * tool prints) are ignored with a warning, since Strand picks the directory itself. It is written out
 * as "any", as Kafka does for proposals. Stateless.
 */
public final class ReassignmentPlan {
    private ReassignmentPlan() {}

    /**
     * Reads a plan file; a file that cannot be read or parsed is a usage error naming it and the
     * problem. Named log directories are reported to {@code warn} once.
     */
    static Map<TopicPartition, List<Integer>> read(String file, String flag, java.util.function.Consumer<String> warn) {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new UsageException(flag + " " + file + ": cannot read the file (" + Failures.describe(e) + ")");
        }
        try {
            Map<TopicPartition, List<Integer>> plan = parse(text);
            if (namesLogDirs(text)) {
                warn.accept("warning: " + flag + " " + file + " names log directories; Strand ignores them and places "
                        + "each replica in a log directory of its broker");
            }
            return plan;
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + " " + file + ": " + e.getMessage());
        }
    }

    /**
     * The partitions of a plan's text and their target replicas, in the plan's order.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Map<TopicPartition, List<Integer>> parse(String text) {
        Object root = JsonReader.parse(text);
        if (!(root instanceof Map<?, ?> map) || !(map.get("partitions") instanceof List<?> partitions)) {
            throw new IllegalArgumentException(
                    "not a reassignment plan: expected {\"version\":1,\"partitions\":[...]}");
        }
        Object version = map.get("version");
        if (version != null && !(version instanceof Long v && v == 1)) {
            throw new IllegalArgumentException("unsupported plan version " + version + " (expected 1)");
        }
        Map<TopicPartition, List<Integer>> out = new LinkedHashMap<>();
        int index = 0;
        for (Object o : partitions) {
            String where = "partitions[" + index++ + "]";
            if (!(o instanceof Map<?, ?> p)) {
                throw new IllegalArgumentException(where + " is not an object");
            }
            if (!(p.get("topic") instanceof String topic) || topic.isEmpty()) {
                throw new IllegalArgumentException(where + " has no \"topic\"");
            }
            if (!(p.get("partition") instanceof Long partition) || partition < 0) {
                throw new IllegalArgumentException(where + " (" + topic + ") has no valid \"partition\"");
            }
            TopicPartition tp = new TopicPartition(topic, partition.intValue());
            if (!(p.get("replicas") instanceof List<?> replicas) || replicas.isEmpty()) {
                throw new IllegalArgumentException(tp + " has no \"replicas\" list");
            }
            List<Integer> ids = new ArrayList<>();
            for (Object r : replicas) {
                if (!(r instanceof Long id) || id < 0) {
                    throw new IllegalArgumentException(tp + " has a replica that is not a broker id: " + r);
                }
                if (ids.contains(id.intValue())) {
                    throw new IllegalArgumentException(tp + " names broker " + id + " twice in " + replicas);
                }
                ids.add(id.intValue());
            }
            if (p.get("log_dirs") instanceof List<?> dirs) {
                if (dirs.size() != ids.size()) {
                    throw new IllegalArgumentException(
                            tp + " has " + dirs.size() + " log_dirs for " + ids.size() + " replicas");
                }
                for (Object d : dirs) {
                    if (!(d instanceof String)) {
                        throw new IllegalArgumentException(tp + " has a log dir that is not a string: " + d);
                    }
                }
            }
            if (out.put(tp, List.copyOf(ids)) != null) {
                throw new IllegalArgumentException(tp + " appears twice");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the plan moves no partition");
        }
        return out;
    }

    /** True if some partition of the plan names a log directory other than "any". */
    static boolean namesLogDirs(String text) {
        Object root = JsonReader.parse(text);
        if (root instanceof Map<?, ?> map && map.get("partitions") instanceof List<?> partitions) {
            for (Object o : partitions) {
                if (o instanceof Map<?, ?> p
                        && p.get("log_dirs") instanceof List<?> dirs
                        && dirs.stream().anyMatch(d -> !"any".equals(d))) {
                    return true;
                }
            }
        }
        return false;
    }

    static String write(Map<TopicPartition, List<Integer>> plan) {
        List<Map<String, Object>> partitions = new ArrayList<>();
        plan.forEach((tp, replicas) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("topic", tp.topic());
            p.put("partition", tp.partition());
            p.put("replicas", replicas);
            p.put("log_dirs", replicas.stream().map(r -> "any").toList());
            partitions.add(p);
        });
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", 1);
        root.put("partitions", partitions);
        return Json.write(root);
    }

    /** As {@link #write} but for the --json output of a command: the object, not its text. */
    static Json.Raw raw(Map<TopicPartition, List<Integer>> plan) {
        return new Json.Raw(write(plan));
    }
}
