package io.strand.server.network;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one Kafka API. {@link #handle} is called on a request-handler thread, in arrival order
 * for its connection; it must not wait for anything slow (a ZooKeeper round trip is the longest
 * acceptable) and returns a stage that completes when the response is known. A stage completing
 * with {@code null} sends no response (Produce with acks=0). A stage failing with an exception is
 * answered with that API's error response ({@code Errors.forException}).
 *
 * @param <Q> the generated {@code *RequestData} class of the API
 */
public interface ApiHandler<Q extends ApiMessage> {
    ApiKeys apiKey();

    /** Lowest version advertised in ApiVersions. */
    default short oldestVersion() {
        return apiKey().oldestVersion();
    }

    /** Highest version advertised in ApiVersions. */
    default short latestVersion() {
        return apiKey().latestVersion();
    }

    /** Lowest version this handler can parse and answer; below {@link #oldestVersion()} only where Kafka advertises it anyway. */
    default short oldestParsableVersion() {
        return (short) Math.max(oldestVersion(), apiKey().oldestVersion());
    }

    CompletionStage<? extends ApiMessage> handle(RequestContext ctx, Q request);
}
