package io.strand.server.fetch;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition of a fetch session (Kafka's {@code CachedPartition}): the fetcher's last request for
 * it (fetch offset, log start, maximum bytes, leader epochs), which an incremental request that does
 * not name the partition fetches again, and what the fetcher was last told (high watermark, last
 * stable offset, log start), which decides whether an incremental response must carry it.
 *
 * <p>Not thread-safe: guarded by its session's lock.
 */
final class CachedPartition {
    /** A session partition's identity: by topic id in a session of Fetch v13+, else by topic name. */
    record Key(Uuid topicId, String topic, int partition) {
        static Key of(boolean usesTopicIds, Uuid topicId, String topic, int partition) {
            return usesTopicIds ? new Key(topicId, null, partition) : new Key(Uuid.ZERO_UUID, topic, partition);
        }
    }

    private final Key key;
    private FetchRequestData.FetchPartition request;
    private long highWatermark = -1;
    private long lastStableOffset = -1;
    private long localLogStartOffset = -1;
    /** A follower's session: whether it was caught up at its last fetch, and with what. */
    final CaughtUpMark caughtUp = new CaughtUpMark();

    CachedPartition(Key key, FetchRequestData.FetchPartition request) {
        this.key = key;
        this.request = request.duplicate();
    }

    Key key() {
        return key;
    }

    /** The fetcher's last request for this partition (not to be modified). */
    FetchRequestData.FetchPartition request() {
        return request;
    }

    /** The fetcher named this partition again: its new fetch offset, log start, epochs and size. */
    void updateRequest(FetchRequestData.FetchPartition newRequest) {
        this.request = newRequest.duplicate();
        caughtUp.clear();
    }

    /**
     * Whether an incremental response must carry this partition's {@code response} (Kafka's
     * {@code maybeUpdateResponseData}): it has records, an error or a diverging epoch, or its high
     * watermark, last stable offset or log start offset differ from what the fetcher was last told.
     * Kafka's rule, plus the last stable offset, which a read_committed consumer follows (it only ever
     * adds a partition to a response). With {@code update}, what the response tells is remembered; after
     * an error the high watermark is forgotten, so the partition goes out again once the error is gone.
     */
    boolean mustRespond(FetchResponseData.PartitionData response, boolean update) {
        boolean must = response.records() != null && response.records().sizeInBytes() > 0;
        if (highWatermark != response.highWatermark()) {
            must = true;
            if (update) {
                highWatermark = response.highWatermark();
            }
        }
        if (lastStableOffset != response.lastStableOffset()) {
            must = true;
            if (update) {
                lastStableOffset = response.lastStableOffset();
            }
        }
        if (localLogStartOffset != response.logStartOffset()) {
            must = true;
            if (update) {
                localLogStartOffset = response.logStartOffset();
            }
        }
        if (response.preferredReadReplica() >= 0) {
            must = true;
        }
        if (response.errorCode() != Errors.NONE.code()) {
            must = true;
            if (update) {
                highWatermark = -1;
            }
        }
        FetchResponseData.EpochEndOffset diverging = response.divergingEpoch();
        if (diverging != null && (diverging.epoch() != -1 || diverging.endOffset() != -1)) {
            must = true;
        }
        return must;
    }

    @Override
    public String toString() {
        return "CachedPartition(" + key + ", fetchOffset=" + request.fetchOffset() + ", highWatermark=" + highWatermark
                + ", logStartOffset=" + localLogStartOffset + ")";
    }
}
