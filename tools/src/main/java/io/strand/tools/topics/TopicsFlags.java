package io.strand.tools.topics;

import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.ConnectionFlags;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.OutputFlags;
import java.util.function.Supplier;

/**
 * The flags every topics command has: how to reach the cluster ({@link ConnectionFlags}: a broker
 * or, with --zookeeper, the znodes) and {@code --json}. Composed into each command's flags with
 * {@code @ParametersDelegate}; the {@code --topic} flag stays with each command, whose help text
 * says what it does to the topic.
 */
final class TopicsFlags {
    @ParametersDelegate
    final ConnectionFlags cluster = new ConnectionFlags();

    @ParametersDelegate
    final OutputFlags output = new OutputFlags();

    /** The backend the connection flags choose, as {@link TopicBackend#open}; the caller closes it. */
    TopicBackend open() {
        return TopicBackend.open(cluster);
    }

    /** As {@link OutputFlags#print}. */
    void print(Io io, Supplier<?> json, Runnable text) {
        output.print(io, json, text);
    }
}
