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
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.ElectionNotNeededException;

/**
 * {@code strand elect-leaders}: moves leadership back to the preferred replica (the first in the
 * replica list) of one partition, of every partition of a topic, or of every partition (the
 * controller's preferred election). Exit 1 if a partition could not get its preferred leader.
 */
final class ElectLeaders extends Command<ElectLeaders.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(
                names = {"-t", "--topic"},
                description = "The topic (every partition of it, or --partition)")
        String topic;

        @Parameter(names = "--partition", description = "The partition of --topic")
        Integer partition;

        @Parameter(names = "--all", description = "Every partition of every topic")
        boolean all;
    }

    ElectLeaders() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        if (flags.all == (flags.topic != null)) {
            throw new UsageException("give either --topic [--partition] or --all");
        }
        if (flags.partition != null && flags.topic == null) {
            throw new UsageException("--partition needs --topic");
        }
        if (flags.partition != null && flags.partition < 0) {
            throw new UsageException("--partition must be 0 or more, was " + flags.partition);
        }
        Map<TopicPartition, String> results = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            Set<TopicPartition> partitions = null;
            if (flags.topic != null) {
                partitions = new TreeSet<>(
                        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
                if (flags.partition != null) {
                    partitions.addAll(
                            CurrentReplicas.current(admin, Set.of(new TopicPartition(flags.topic, flags.partition)))
                                    .keySet());
                } else {
                    partitions.addAll(CurrentReplicas.all(CurrentReplicas.describe(admin, List.of(flags.topic)))
                            .keySet());
                }
            }
            Map<TopicPartition, Optional<Throwable>> outcome;
            try {
                outcome = admin.await(
                        admin.admin()
                                .electLeaders(ElectionType.PREFERRED, partitions)
                                .partitions(),
                        "electing preferred leaders");
            } catch (ApiException e) {
                throw new CliException("cannot elect preferred leaders: " + Failures.describe(e), e);
            }
            List<TopicPartition> ordered = new ArrayList<>(outcome.keySet());
            ordered.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            for (TopicPartition tp : ordered) {
                Optional<Throwable> error = outcome.get(tp);
                if (error.isEmpty()) {
                    results.put(tp, "elected the preferred leader");
                } else if (error.get() instanceof ElectionNotNeededException) {
                    results.put(tp, "the preferred leader already leads");
                } else {
                    String why = Failures.describe(error.get());
                    results.put(tp, "failed: " + why);
                    failures.add("cannot elect the preferred leader of " + tp + ": " + why);
                }
            }
        }
        flags.common.print(
                io,
                () -> results.entrySet().stream()
                        .map(r -> Json.object(
                                "topic", r.getKey().topic(),
                                "partition", r.getKey().partition(),
                                "result", r.getValue()))
                        .toList(),
                () -> {
                    if (results.isEmpty()) {
                        io.println("Every partition is led by its preferred replica; nothing to elect.");
                    } else {
                        Table table = new Table("PARTITION", "RESULT");
                        results.forEach(table::row);
                        table.print(io, "");
                    }
                });
        CliException.throwIfAny(failures);
        return 0;
    }
}
