package io.strand.server.fetch;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;

/**
 * A full fetch (epoch 0): every partition the request names is read and answered, and the response
 * opens a session of those partitions if the cache has a slot for it (session id 0 otherwise).
 */
final class FullFetchContext implements FetchContext {
    private final FetchSessionCache cache;
    private final LongSupplier clock;
    private final List<FetchRequestData.FetchTopic> topics;
    private final boolean usesTopicIds;
    private final boolean follower;

    FullFetchContext(
            FetchSessionCache cache,
            LongSupplier clock,
            List<FetchRequestData.FetchTopic> topics,
            boolean usesTopicIds,
            boolean follower) {
        this.cache = cache;
        this.clock = clock;
        this.topics = topics;
        this.usesTopicIds = usesTopicIds;
        this.follower = follower;
    }

    @Override
    public List<FetchRequestData.FetchTopic> topics() {
        return topics;
    }

    @Override
    public FetchResponseData respond(FetchResponseData read) {
        Map<CachedPartition.Key, FetchRequestData.FetchPartition> requested = new HashMap<>();
        for (FetchRequestData.FetchTopic t : topics) {
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                requested.put(CachedPartition.Key.of(usesTopicIds, t.topicId(), t.topic(), p.partition()), p);
            }
        }
        int size = 0;
        for (FetchResponseData.FetchableTopicResponse t : read.responses()) {
            size += t.partitions().size();
        }
        int sessionId = cache.maybeCreate(clock.getAsLong(), follower, size, usesTopicIds, () -> {
            LinkedHashMap<CachedPartition.Key, CachedPartition> partitions = new LinkedHashMap<>();
            for (FetchResponseData.FetchableTopicResponse t : read.responses()) {
                for (FetchResponseData.PartitionData pd : t.partitions()) {
                    CachedPartition.Key key =
                            CachedPartition.Key.of(usesTopicIds, t.topicId(), t.topic(), pd.partitionIndex());
                    FetchRequestData.FetchPartition request = requested.get(key);
                    if (request != null) {
                        CachedPartition cached = new CachedPartition(key, request);
                        cached.mustRespond(pd, true); // remember what this response tells
                        partitions.put(key, cached);
                    }
                }
            }
            return partitions;
        });
        return read.setSessionId(sessionId);
    }
}
