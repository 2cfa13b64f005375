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
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;

/**
 * {@code strand reassign execute}: starts the moves of a plan (AlterPartitionReassignments; the
 * controller carries them out). Prints the current assignment first, to save for a rollback.
 * {@code --throttle} sets {@code leader.replication.throttled.rate} on every broker involved, so the
 * catch-up traffic leaves room for producers; remove it with {@code strand configs delete} when done.
 */
final class ReassignExecute extends Command<ReassignExecute.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(
                names = "--reassignment-json-file",
                required = true,
                description = "The plan, in Kafka's format (as 'reassign generate' prints it)")
        String file;

        @Parameter(names = "--throttle", description = "Bytes/s each broker involved may send to replicas catching up")
        Long throttle;
    }

    ReassignExecute() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        if (flags.throttle != null && flags.throttle < 1) {
            throw new UsageException("--throttle must be at least 1 byte/s, was " + flags.throttle);
        }
        Map<TopicPartition, List<Integer>> plan =
                ReassignmentPlan.read(flags.file, "--reassignment-json-file", io::warn);
        Map<TopicPartition, List<Integer>> current;
        List<String> failures = new ArrayList<>();
        List<TopicPartition> started;
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            current = CurrentReplicas.current(admin, plan.keySet());
            if (flags.throttle != null) {
                throttle(admin, current, plan);
            }
            Map<TopicPartition, Optional<NewPartitionReassignment>> request = new LinkedHashMap<>();
            plan.forEach((tp, r) -> request.put(tp, Optional.of(new NewPartitionReassignment(r))));
            started = Reassignments.alter(
                    admin,
                    request,
                    tp -> "reassigning " + tp,
                    (tp, e) -> "cannot reassign " + tp + " to " + plan.get(tp) + ": " + Failures.describe(e),
                    failures);
        }
        flags.common.print(
                io,
                () -> Json.object(
                        "current", ReassignmentPlan.raw(current),
                        "started", Reassignments.names(started),
                        "failed", failures),
                () -> printText(io, current, started));
        CliException.throwIfAny(failures);
        return 0;
    }

    /** Sets the throttle on every broker that holds or will hold a replica of the plan. */
    private void throttle(
            KafkaAdmin admin, Map<TopicPartition, List<Integer>> current, Map<TopicPartition, List<Integer>> plan) {
        TreeSet<Integer> involved = new TreeSet<>();
        current.values().forEach(involved::addAll);
        plan.values().forEach(involved::addAll);
        for (int broker : involved) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(broker));
            try {
                admin.alterConfigs(
                        r,
                        Map.of("leader.replication.throttled.rate", Long.toString(flags.throttle)),
                        List.of(),
                        "setting the throttle of broker " + broker);
            } catch (ApiException e) {
                throw new CliException("cannot set the throttle on broker " + broker + ": " + Failures.describe(e), e);
            }
        }
    }

    private void printText(Io io, Map<TopicPartition, List<Integer>> current, List<TopicPartition> started) {
        io.println("Current partition replica assignment");
        io.println("");
        io.println(ReassignmentPlan.write(current));
        io.println("");
        io.println("Save this to use as the --reassignment-json-file option during rollback");
        if (!started.isEmpty()) {
            io.println("Successfully started partition reassignment" + (started.size() == 1 ? "" : "s") + " for "
                    + String.join(",", Reassignments.names(started)));
        }
        if (flags.throttle != null) {
            io.println("Throttle: leader.replication.throttled.rate=" + flags.throttle
                    + " on the brokers involved; remove it with 'strand configs delete --broker ID --config "
                    + "leader.replication.throttled.rate' once the moves are complete.");
        }
    }
}
