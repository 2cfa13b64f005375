package io.strand.server.fetch;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incremental fetch in a session: every partition of the session is read (with the request data
 * the fetcher last sent for it), and the response carries only those that changed since the
 * fetcher's last response ({@link CachedPartition#mustRespond}).
 *
 * <p>The session remembers what a response tells when the response is made. Kafka decides a consumer's
 * quota throttle before that and leaves the session as it was for the empty response a throttled
 * consumer gets; here client quotas empty the response afterwards ({@code ClientQuotas}), so a new high
 * watermark or log start offset that the emptied response would have carried reaches the consumer with
 * the partition's next change instead (records are not affected: a partition with records is answered
 * until the consumer's fetch offset moves past them).
 */
final class IncrementalFetchContext implements FetchContext {
    private static final Logger log = LoggerFactory.getLogger(IncrementalFetchContext.class);

    private final FetchSession session;
    private final int requestEpoch;
    private final List<FetchRequestData.FetchTopic> topics;
    private final List<CaughtUpMark> marks;

    /** For {@code session} as it is after the request with {@code requestEpoch} updated it. */
    IncrementalFetchContext(FetchSession session, int requestEpoch) {
        this.session = session;
        this.requestEpoch = requestEpoch;
        List<CachedPartition> partitions = session.partitions();
        this.topics = topicsOf(partitions);
        this.marks =
                session.privileged ? partitions.stream().map(p -> p.caughtUp).toList() : List.of();
    }

    /** The session's partitions in order, consecutive partitions of one topic in one FetchTopic. */
    private static List<FetchRequestData.FetchTopic> topicsOf(List<CachedPartition> partitions) {
        List<FetchRequestData.FetchTopic> topics = new ArrayList<>();
        FetchRequestData.FetchTopic current = null;
        for (CachedPartition p : partitions) {
            CachedPartition.Key k = p.key();
            if (current == null
                    || !Objects.equals(current.topicId(), k.topicId())
                    || !Objects.equals(current.topic(), k.topic())) {
                current = new FetchRequestData.FetchTopic()
                        .setTopicId(k.topicId())
                        .setTopic(k.topic());
                topics.add(current);
            }
            current.partitions().add(p.request());
        }
        return topics;
    }

    @Override
    public List<FetchRequestData.FetchTopic> topics() {
        return topics;
    }

    @Override
    public List<CaughtUpMark> caughtUpMarks() {
        return marks;
    }

    @Override
    public FetchResponseData respond(FetchResponseData read) {
        synchronized (session) {
            int expected = FetchMetadata.nextEpoch(requestEpoch);
            if (session.epoch() != expected) {
                // another request of this session came in meanwhile (a duplicate)
                log.info(
                        "Incremental fetch session {} expected epoch {}, but got {}. Possible duplicate request.",
                        session.id,
                        expected,
                        session.epoch());
                return new FetchResponseData()
                        .setErrorCode(Errors.INVALID_FETCH_SESSION_EPOCH.code())
                        .setSessionId(session.id);
            }
            Iterator<FetchResponseData.FetchableTopicResponse> topicIt =
                    read.responses().iterator();
            while (topicIt.hasNext()) {
                FetchResponseData.FetchableTopicResponse t = topicIt.next();
                t.partitions().removeIf(pd -> !mustRespond(t, pd));
                if (t.partitions().isEmpty()) {
                    topicIt.remove();
                }
            }
            return read.setSessionId(session.id);
        }
    }

    /** Whether {@code pd} goes out; remembers what it tells, and reads a partition that sent records last. */
    private boolean mustRespond(FetchResponseData.FetchableTopicResponse t, FetchResponseData.PartitionData pd) {
        CachedPartition cached =
                session.get(CachedPartition.Key.of(session.usesTopicIds, t.topicId(), t.topic(), pd.partitionIndex()));
        if (cached == null) {
            return true;
        }
        boolean must = cached.mustRespond(pd, true);
        if (must && pd.records() != null && pd.records().sizeInBytes() > 0) {
            session.moveToEnd(cached);
        }
        return must;
    }
}
