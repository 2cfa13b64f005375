package io.strand.tools.reassign;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerOutputFlags;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;

/**
 * {@code strand reassign status}: with a plan, where each of its partitions stands (complete, in
 * progress with the replicas being added and removed, or not at the plan's replicas); without one,
 * every move in progress (ListPartitionReassignments).
 */
final class ReassignStatus extends Command<ReassignStatus.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(
                names = "--reassignment-json-file",
                description = "The plan to check (default: every move in progress)")
        String file;
    }

    /** One partition's standing. */
    private record Row(
            TopicPartition tp,
            String status,
            List<Integer> replicas,
            List<Integer> target,
            List<Integer> adding,
            List<Integer> removing) {}

    ReassignStatus() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        Map<TopicPartition, List<Integer>> plan =
                flags.file == null ? null : ReassignmentPlan.read(flags.file, "--reassignment-json-file", io::warn);
        List<Row> rows = new ArrayList<>();
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            Map<TopicPartition, PartitionReassignment> ongoing;
            try {
                ongoing = admin.await(
                        plan == null
                                ? admin.admin().listPartitionReassignments().reassignments()
                                : admin.admin()
                                        .listPartitionReassignments(plan.keySet())
                                        .reassignments(),
                        "listing reassignments");
            } catch (ApiException e) {
                throw new CliException("cannot list reassignments: " + Failures.describe(e), e);
            }
            if (plan == null) {
                ongoing.forEach((tp, r) -> rows.add(
                        new Row(tp, "in progress", r.replicas(), null, r.addingReplicas(), r.removingReplicas())));
                rows.sort(Comparator.comparing((Row r) -> r.tp().topic()).thenComparingInt(r -> r.tp().partition()));
            } else {
                Map<TopicPartition, List<Integer>> current = CurrentReplicas.current(admin, plan.keySet());
                plan.forEach((tp, target) -> {
                    PartitionReassignment r = ongoing.get(tp);
                    if (r != null) {
                        rows.add(new Row(
                                tp, "in progress", r.replicas(), target, r.addingReplicas(), r.removingReplicas()));
                    } else if (current.get(tp).equals(target)) {
                        rows.add(new Row(tp, "complete", current.get(tp), target, List.of(), List.of()));
                    } else {
                        rows.add(new Row(tp, "not at target", current.get(tp), target, List.of(), List.of()));
                    }
                });
            }
        }
        if (flags.common.json()) {
            io.println(Json.write(rows.stream().map(ReassignStatus::json).toList()));
            return 0;
        }
        if (rows.isEmpty()) {
            io.println("No partition reassignment is in progress.");
            return 0;
        }
        Table table = plan == null
                ? new Table("PARTITION", "STATUS", "REPLICAS", "ADDING", "REMOVING")
                : new Table("PARTITION", "STATUS", "REPLICAS", "TARGET", "ADDING", "REMOVING");
        for (Row r : rows) {
            if (plan == null) {
                table.row(r.tp(), r.status(), ids(r.replicas()), ids(r.adding()), ids(r.removing()));
            } else {
                table.row(r.tp(), r.status(), ids(r.replicas()), ids(r.target()), ids(r.adding()), ids(r.removing()));
            }
        }
        table.print(io, "");
        return 0;
    }

    private static Map<String, Object> json(Row r) {
        Map<String, Object> m = Json.object(
                "topic",
                r.tp().topic(),
                "partition",
                r.tp().partition(),
                "status",
                r.status(),
                "replicas",
                r.replicas());
        if (r.target() != null) {
            m.put("target", r.target());
        }
        m.put("adding", r.adding());
        m.put("removing", r.removing());
        return m;
    }

    private static String ids(List<Integer> ids) {
        return ids.isEmpty() ? "-" : Table.ids(ids);
    }
}
