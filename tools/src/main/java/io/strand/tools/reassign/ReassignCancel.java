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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;

/**
 * {@code strand reassign cancel}: cancels moves in progress; each partition goes back to the
 * replicas it had when its move was requested.
 */
final class ReassignCancel extends Command<ReassignCancel.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

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
        List<String> failures = new ArrayList<>();
        List<TopicPartition> cancelled;
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            Map<TopicPartition, Optional<NewPartitionReassignment>> request = new LinkedHashMap<>();
            partitions.forEach(tp -> request.put(tp, Optional.empty()));
            cancelled = Reassignments.alter(
                    admin,
                    request,
                    tp -> "cancelling the move of " + tp,
                    (tp, e) -> e instanceof NoReassignmentInProgressException
                            ? "no reassignment of " + tp + " is in progress (NO_REASSIGNMENT_IN_PROGRESS)"
                            : "cannot cancel the move of " + tp + ": " + Failures.describe(e),
                    failures);
        }
        flags.common.print(
                io, () -> Json.object("cancelled", Reassignments.names(cancelled), "failed", failures), () -> {
                    if (!cancelled.isEmpty()) {
                        io.println("Cancelled the reassignment of " + String.join(",", Reassignments.names(cancelled))
                                + "; " + (cancelled.size() == 1 ? "it moves" : "they move")
                                + " back to the original replicas.");
                    }
                });
        CliException.throwIfAny(failures);
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
