package io.strand.wal;

import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * One log directory as the broker reports it: online, below its free-space floor (appends refused,
 * nothing offline), or offline after an I/O error (every log in it stopped until the broker restarts).
 *
 * @param reason why it is not online ("" when it is)
 * @param usableBytes free space when last measured (-1: not measured)
 * @param floorBytes its free-space floor (0: none)
 * @param partitions the partitions whose logs are (or were, when offline) in it
 */
public record LogDirState(
        Path dir, Status status, String reason, long usableBytes, long floorBytes, List<TopicPartition> partitions) {

    public enum Status {
        ONLINE,
        BELOW_FREE_SPACE_FLOOR,
        OFFLINE
    }

    public boolean online() {
        return status == Status.ONLINE;
    }
}
