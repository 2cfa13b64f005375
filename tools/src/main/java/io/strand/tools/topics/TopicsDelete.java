package io.strand.tools.topics;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConnectionFlags;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.OutputFlags;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code strand topics delete}: through a broker's DeleteTopics (which answers once the controller
 * has removed the topic), or with --zookeeper by creating {@code /admin/delete_topics/<t>} for the
 * controller to act on.
 */
final class TopicsDelete extends Command<TopicsDelete.Flags> {
    static final class Flags {
        @ParametersDelegate
        final ConnectionFlags cluster = new ConnectionFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(
                names = {"-t", "--topic"},
                required = true,
                description = "Name of the topic to delete")
        String topic;
    }

    TopicsDelete() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        TopicBackend.DeletedTopic deleted;
        try (TopicBackend backend = TopicBackend.open(flags.cluster)) {
            deleted = backend.delete(flags.topic);
        }
        if (flags.output.json()) {
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
