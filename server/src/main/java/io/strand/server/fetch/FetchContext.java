package io.strand.server.fetch;

import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * What a Fetch request reads and how its response is shaped, given its session fields (Kafka's
 * {@code FetchContext}): the handler reads {@link #topics()} as usual, then sends what {@link
 * #respond} makes of its response.
 *
 * <p>A context serves one request; {@link #respond} is called once, on any thread.
 */
public sealed interface FetchContext
        permits FetchContext.Sessionless, FetchContext.SessionError, FullFetchContext, IncrementalFetchContext {

    /** The partitions to read, in topics as the response groups them. */
    List<FetchRequestData.FetchTopic> topics();

    /**
     * The response to send, from {@code read} (a response over {@link #topics()} in that order): with
     * the session id the fetcher uses next, and, in an incremental session, only the partitions that
     * changed.
     */
    FetchResponseData respond(FetchResponseData read);

    /**
     * In a follower's incremental session, the {@link CaughtUpMark} of each partition of {@link #topics()}, in the
     * same order (topic by topic); empty otherwise: every partition is read.
     */
    default List<CaughtUpMark> caughtUpMarks() {
        return List.of();
    }

    /** No session (epoch -1, Fetch before v7, or a session just emptied): every partition, session id 0. */
    record Sessionless(List<FetchRequestData.FetchTopic> topics) implements FetchContext {
        @Override
        public FetchResponseData respond(FetchResponseData read) {
            return read.setSessionId(FetchMetadata.INVALID_SESSION_ID);
        }
    }

    /** The session fields were wrong: nothing is read, the response is the error alone. */
    record SessionError(Errors error) implements FetchContext {
        @Override
        public List<FetchRequestData.FetchTopic> topics() {
            return List.of();
        }

        @Override
        public FetchResponseData respond(FetchResponseData read) {
            return new FetchResponseData().setErrorCode(error.code()).setSessionId(FetchMetadata.INVALID_SESSION_ID);
        }
    }
}
