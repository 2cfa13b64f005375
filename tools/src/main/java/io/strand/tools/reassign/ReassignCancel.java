package io.strand.tools.reassign;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerFlags;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;

/**
 * {@code strand reassign cancel}: cancels moves in progress; each partition goes back to the
 * replicas it had when its move was requested.
 */
final class ReassignCancel extends Command<ReassignCancel.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerFlags cluster = new BrokerFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(names = "--reassignment-json-file", description = "Cancel the moves of this plan")
        String file;

        @Parameter(
                names = {"-t", "--topic"},
                description = "Cancel the move of a partition of this topic (with --partition)")
        String topic;

        @Parameter(names = "--partition", description = "The partition whose move to cancel (with --topic)")
        Integer partition;
    }

    ReassignCancel() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        Set<TopicPartition> partitions = partitions(io);
        List<TopicPartition> cancelled = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (KafkaAdmin admin = KafkaAdmin.open(flags.cluster)) {
            Map<TopicPartition, Optional<NewPartitionReassignment>> request = new LinkedHashMap<>();
            partitions.forEach(tp -> request.put(tp, Optional.empty()));
            Map<TopicPartition, KafkaFuture<Void>> results =
                    admin.admin().alterPartitionReassignments(request).values();
            for (TopicPartition tp : partitions) {
                try {
                    admin.await(results.get(tp), "cancelling the move of " + tp);
                    cancelled.add(tp);
                } catch (NoReassignmentInProgressException e) {
                    failures.add("no reassignment of " + tp + " is in progress (NO_REASSIGNMENT_IN_PROGRESS)");
                } catch (ApiException e) {
                    failures.add("cannot cancel the move of " + tp + ": " + Failures.describe(e));
                }
            }
        }
        if (flags.output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put(
                    "cancelled",
                    cancelled.stream().map(TopicPartition::toString).toList());
            json.put("failed", failures);
            io.println(Json.write(json));
        } else if (!cancelled.isEmpty()) {
            io.println("Cancelled the reassignment of "
                    + String.join(
                            ",",
                            cancelled.stream().map(TopicPartition::toString).toList()) + "; "
                    + (cancelled.size() == 1 ? "it moves" : "they move") + " back to the original replicas.");
        }
        if (!failures.isEmpty()) {
            throw new CliException(String.join("; ", failures));
        }
        return 0;
    }

    private Set<TopicPartition> partitions(Io io) {
        boolean one = flags.topic != null || flags.partition != null;
        if (one == (flags.file != null)) {
            throw new UsageException("give either --reassignment-json-file or --topic with --partition");
        }
        if (flags.file != null) {
            return new LinkedHashSet<>(ReassignmentPlan.read(flags.file, "--reassignment-json-file", io::warn)
                    .keySet());
        }
        if (flags.topic == null || flags.partition == null) {
            throw new UsageException("--topic and --partition go together");
        }
        if (flags.partition < 0) {
            throw new UsageException("--partition must be 0 or more, was " + flags.partition);
        }
        return Set.of(new TopicPartition(flags.topic, flags.partition));
    }
}
