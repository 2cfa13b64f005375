package io.strand.tools.topics;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConfigOverrides;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.NoSplitter;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code strand topics alter}: adds partitions (new replicas are placed as at creation) and sets or
 * deletes config overrides, through a broker (CreatePartitions, IncrementalAlterConfigs) or with
 * --zookeeper through the same coordinator code the brokers run.
 */
final class TopicsAlter extends Command<TopicsAlter.Flags> {
    static final class Flags {
        @ParametersDelegate
        final TopicsFlags common = new TopicsFlags();

        @Parameter(
                names = {"-t", "--topic"},
                required = true,
                description = "Name of the topic to change")
        String topic;

        @Parameter(
                names = {"-p", "--partitions"},
                description = "The new (larger) number of partitions")
        Integer partitions;

        @Parameter(
                names = "--config",
                splitter = NoSplitter.class,
                description = "A config override to set, NAME=VALUE; repeat the flag for more")
        List<String> configs = new ArrayList<>();

        @Parameter(
                names = "--delete-config",
                splitter = NoSplitter.class,
                description = "A config override to remove, NAME; repeat the flag for more")
        List<String> deleteConfigs = new ArrayList<>();
    }

    TopicsAlter() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        if (flags.partitions == null && flags.configs.isEmpty() && flags.deleteConfigs.isEmpty()) {
            throw new UsageException("nothing to change: give --partitions, --config or --delete-config");
        }
        if (flags.partitions != null && flags.partitions < 1) {
            throw new UsageException("--partitions must be at least 1, was " + flags.partitions);
        }
        Map<String, String> set = ConfigOverrides.parse(flags.configs);
        for (String name : flags.deleteConfigs) {
            if (set.containsKey(name)) {
                throw new UsageException("config " + name + " is given to both --config and --delete-config");
            }
        }
        TopicBackend.AlteredTopic altered;
        try (TopicBackend backend = flags.common.open()) {
            altered = backend.alter(flags.topic, flags.partitions, set, flags.deleteConfigs);
        }
        if (flags.common.output.json()) {
            io.println(Json.write(Json.object(
                    "topic", altered.name(),
                    "partitionsBefore", altered.partitionsBefore(),
                    "partitionCount", altered.partitionsAfter(),
                    "configs", altered.configs())));
            return 0;
        }
        List<String> done = new ArrayList<>();
        if (flags.partitions != null) {
            done.add("partitions " + altered.partitionsBefore() + " -> " + altered.partitionsAfter());
        }
        set.forEach((k, v) -> done.add("set " + k + "=" + v));
        flags.deleteConfigs.forEach(k -> done.add("deleted " + k));
        io.println("Altered topic " + altered.name() + ": " + String.join(", ", done) + ".");
        return 0;
    }
}
