package io.strand.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The IncrementalAlterConfigs call of {@code configs set} and {@code configs delete}. */
final class ConfigsAlter {
    private ConfigsAlter() {}

    static void apply(BrokerFlags cluster, ConfigResource resource, List<AlterConfigOp> ops, String what) {
        try (KafkaAdmin admin = cluster.open()) {
            admin.await(
                    admin.admin()
                            .incrementalAlterConfigs(Map.of(resource, ops))
                            .values()
                            .get(resource),
                    what + " " + ConfigEntityFlags.describe(resource));
        } catch (UnknownTopicOrPartitionException e) {
            throw new CliException(TopicBackend.unknownTopic(resource.name(), ""), e);
        } catch (ApiException e) {
            throw new CliException(
                    "cannot change the configs of " + ConfigEntityFlags.describe(resource) + ": "
                            + Failures.describe(e),
                    e);
        }
    }

    static List<AlterConfigOp> sets(Map<String, String> configs) {
        List<AlterConfigOp> ops = new ArrayList<>();
        configs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        return ops;
    }

    static List<AlterConfigOp> deletes(List<String> names) {
        List<AlterConfigOp> ops = new ArrayList<>();
        names.forEach(k -> ops.add(new AlterConfigOp(new ConfigEntry(k, ""), AlterConfigOp.OpType.DELETE)));
        return ops;
    }
}
