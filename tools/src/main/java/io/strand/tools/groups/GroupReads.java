package io.strand.tools.groups;

import io.strand.tools.cli.CliException;
import io.strand.tools.cli.KafkaAdmin;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The reads of one group that several groups commands make; every failure is a {@link CliException}. Stateless. */
final class GroupReads {
    private GroupReads() {}

    /** The group's state, coordinator and members (DescribeGroups). */
    static ConsumerGroupDescription describe(KafkaAdmin admin, String group) {
        return admin.awaitOrFail(
                        admin.admin().describeConsumerGroups(List.of(group)).all(), "describing group " + group)
                .get(group);
    }

    /** The group's committed offsets (OffsetFetch). */
    static Map<TopicPartition, OffsetAndMetadata> committed(KafkaAdmin admin, String group) {
        return admin.awaitOrFail(
                admin.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                "fetching the offsets of group " + group);
    }
}
