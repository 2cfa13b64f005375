package io.strand.tools;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code strand topics delete}: through a broker's DeleteTopics (which answers once the controller
 * has removed the topic), or with --zookeeper by creating {@code /admin/delete_topics/<t>} for the
 * controller to act on.
 */
final class TopicsDelete implements Command {
    static final String NAME = "topics delete";
    static final String DESCRIPTION = "Delete a topic (its data on every broker goes with it)";

    static final class Flags {
        @ParametersDelegate
        final CommonFlags common = new CommonFlags();

        @ParametersDelegate
        final ClusterFlags cluster = new ClusterFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(
                names = {"-t", "--topic"},
                required = true,
                description = "Name of the topic to delete")
        String topic;
    }

    private final Flags flags = new Flags();

    @Override
    public Object flags() {
        return flags;
    }

    @Override
    public CommonFlags common() {
        return flags.common;
    }

    @Override
    public int run(Io io) {
        TopicBackend.DeletedTopic deleted;
        try (TopicBackend backend = flags.cluster.openTopics()) {
            deleted = backend.delete(flags.topic);
        }
        if (flags.output.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("topic", deleted.name());
            json.put("topicId", deleted.topicId());
            json.put("deleted", deleted.complete());
            json.put("markedForDeletion", !deleted.complete());
            io.println(Json.write(json));
        } else if (deleted.complete()) {
            io.println("Deleted topic " + deleted.name() + " (topic id " + deleted.topicId() + ").");
        } else {
            io.println("Topic " + deleted.name() + " (topic id " + deleted.topicId()
                    + ") is marked for deletion; the controller removes it and every broker drops its data.");
        }
        return 0;
    }
}
