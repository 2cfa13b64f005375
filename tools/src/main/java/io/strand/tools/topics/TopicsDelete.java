package io.strand.tools.topics;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;

/**
 * {@code strand topics delete}: through a broker's DeleteTopics (which answers once the controller
 * has removed the topic), or with --zookeeper by creating {@code /admin/delete_topics/<t>} for the
 * controller to act on.
 */
final class TopicsDelete extends Command<TopicsDelete.Flags> {
    static final class Flags {
        @ParametersDelegate
        final TopicsFlags common = new TopicsFlags();

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
        try (TopicBackend backend = flags.common.open()) {
            deleted = backend.delete(flags.topic);
        }
        flags.common.print(
                io,
                () -> Json.object(
                        "topic", deleted.name(),
                        "topicId", deleted.topicId(),
                        "deleted", deleted.complete(),
                        "markedForDeletion", !deleted.complete()),
                () -> io.println(
                        deleted.complete()
                                ? "Deleted topic " + deleted.name() + " (topic id " + deleted.topicId() + ")."
                                : "Topic " + deleted.name() + " (topic id " + deleted.topicId()
                                        + ") is marked for deletion; the controller removes it and every broker"
                                        + " drops its data."));
        return 0;
    }
}
