package io.strand.server.share;

import io.strand.server.testing.RawKafkaConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/** Raw ShareFetch and ShareAcknowledge for one partition, as a share consumer sends them (tests). */
final class ShareWire {
    private ShareWire() {}

    /** Offsets (inclusive) with one acknowledge type. */
    record Ack(long first, long last, byte type) {}

    static ShareFetchResponseData fetch(
            RawKafkaConnection c,
            short version,
            String group,
            String member,
            int epoch,
            Uuid topicId,
            int partition,
            List<Ack> acks,
            int maxWaitMs)
            throws IOException {
        return fetch(c, version, group, member, epoch, topicId, partition, acks, maxWaitMs, 500, false);
    }

    /** With {@code maxRecords}; {@code exactly}: v2's record_limit acquire mode. */
    static ShareFetchResponseData fetch(
            RawKafkaConnection c,
            short version,
            String group,
            String member,
            int epoch,
            Uuid topicId,
            int partition,
            List<Ack> acks,
            int maxWaitMs,
            int maxRecords,
            boolean exactly)
            throws IOException {
        ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        ShareFetchRequestData.FetchPartition p =
                new ShareFetchRequestData.FetchPartition().setPartitionIndex(partition);
        for (Ack a : acks) {
            p.acknowledgementBatches()
                    .add(new ShareFetchRequestData.AcknowledgementBatch()
                            .setFirstOffset(a.first())
                            .setLastOffset(a.last())
                            .setAcknowledgeTypes(List.of(a.type())));
        }
        t.partitions().add(p);
        ShareFetchRequestData req = new ShareFetchRequestData()
                .setGroupId(group)
                .setMemberId(member)
                .setShareSessionEpoch(epoch)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setMaxRecords(maxRecords);
        if (version >= 2) {
            req.setBatchSize(maxRecords).setShareAcquireMode((byte) (exactly ? 1 : 0));
        }
        if (epoch != -1) {
            req.topics().add(t);
        } else if (!acks.isEmpty()) {
            req.topics().add(t); // the final fetch may only acknowledge
        }
        return (ShareFetchResponseData)
                c.send(ApiKeys.SHARE_FETCH, version, req).data();
    }

    static ShareAcknowledgeResponseData acknowledge(
            RawKafkaConnection c,
            short version,
            String group,
            String member,
            int epoch,
            Map<Uuid, Map<Integer, List<Ack>>> acks)
            throws IOException {
        ShareAcknowledgeRequestData req = new ShareAcknowledgeRequestData()
                .setGroupId(group)
                .setMemberId(member)
                .setShareSessionEpoch(epoch);
        acks.forEach((topicId, byPartition) -> {
            ShareAcknowledgeRequestData.AcknowledgeTopic t =
                    new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(topicId);
            byPartition.forEach((partition, list) -> {
                ShareAcknowledgeRequestData.AcknowledgePartition p =
                        new ShareAcknowledgeRequestData.AcknowledgePartition().setPartitionIndex(partition);
                for (Ack a : list) {
                    p.acknowledgementBatches()
                            .add(new ShareAcknowledgeRequestData.AcknowledgementBatch()
                                    .setFirstOffset(a.first())
                                    .setLastOffset(a.last())
                                    .setAcknowledgeTypes(List.of(a.type())));
                }
                t.partitions().add(p);
            });
            req.topics().add(t);
        });
        return (ShareAcknowledgeResponseData)
                c.send(ApiKeys.SHARE_ACKNOWLEDGE, version, req).data();
    }

    /** The only partition of a share fetch response, or null. */
    static ShareFetchResponseData.PartitionData partition(ShareFetchResponseData r) {
        if (r.responses().isEmpty()) {
            return null;
        }
        return r.responses().iterator().next().partitions().get(0);
    }

    /** The acquired offsets of a partition answer, in order. */
    static List<Long> acquired(ShareFetchResponseData.PartitionData p) {
        List<Long> out = new ArrayList<>();
        if (p == null) {
            return out;
        }
        for (ShareFetchResponseData.AcquiredRecords a : p.acquiredRecords()) {
            for (long o = a.firstOffset(); o <= a.lastOffset(); o++) {
                out.add(o);
            }
        }
        return out;
    }

    /** Values of the records answered at the acquired offsets. */
    static List<String> values(ShareFetchResponseData.PartitionData p) {
        List<Long> acquired = acquired(p);
        List<String> out = new ArrayList<>();
        for (RecordBatch b : ((org.apache.kafka.common.record.internal.Records) p.records()).batches()) {
            for (Record r : b) {
                if (acquired.contains(r.offset())) {
                    byte[] v = new byte[r.valueSize()];
                    r.value().get(v);
                    out.add(new String(v));
                }
            }
        }
        return out;
    }

    static Errors error(ShareFetchResponseData.PartitionData p) {
        return Errors.forCode(p.errorCode());
    }
}
