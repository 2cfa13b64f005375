package io.strand.server.group.assignor;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A topic as the assignor sees it: its id, its name and its partition count (partitions
 * {@code 0 .. partitions - 1} exist). Immutable.
 */
public record TopicInfo(Uuid id, String name, int partitions) {
    public TopicInfo {
        Objects.requireNonNull(id, "id");
        if (partitions < 0) {
            throw new IllegalArgumentException("negative partition count " + partitions + " for topic " + name);
        }
    }
}
