package io.strand.server.testing;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Fault injection around the partition leaders' WriteTxnMarkers ({@link ResponseFaults} wraps every
 * broker's handler with it): records the markers each leader received, and, while {@link #refuseWith}
 * is set, answers every partition with that error without writing anything (a leader refusing
 * markers), so that a transaction stays in PrepareCommit or PrepareAbort. Thread-safe.
 */
public final class TxnMarkerFaults {
    private final List<WriteTxnMarkersRequestData.WritableTxnMarker> received = new CopyOnWriteArrayList<>();
    private volatile Errors refuseWith;

    /** Answers every partition with {@code error} from now on; null: the leaders write markers again. */
    public void refuseWith(Errors error) {
        this.refuseWith = error;
    }

    /** The markers the leaders received and wrote (by every broker of the cluster). */
    public List<WriteTxnMarkersRequestData.WritableTxnMarker> received() {
        return List.copyOf(received);
    }

    ApiHandler<WriteTxnMarkersRequestData> wrap(ApiHandler<WriteTxnMarkersRequestData> real) {
        return new ApiHandler<>() {
            @Override
            public ApiKeys apiKey() {
                return ApiKeys.WRITE_TXN_MARKERS;
            }

            @Override
            public short oldestVersion() {
                return real.oldestVersion();
            }

            @Override
            public short latestVersion() {
                return real.latestVersion();
            }

            @Override
            public short oldestParsableVersion() {
                return real.oldestParsableVersion();
            }

            @Override
            public CompletionStage<? extends org.apache.kafka.common.protocol.ApiMessage> handle(
                    RequestContext ctx, WriteTxnMarkersRequestData request) {
                Errors answer = refuseWith;
                if (answer == null) {
                    request.markers().forEach(m -> received.add(m.duplicate()));
                    return real.handle(ctx, request);
                }
                return CompletableFuture.completedFuture(refused(request, answer));
            }
        };
    }

    private static WriteTxnMarkersResponseData refused(WriteTxnMarkersRequestData request, Errors answer) {
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        for (WriteTxnMarkersRequestData.WritableTxnMarker m : request.markers()) {
            WriteTxnMarkersResponseData.WritableTxnMarkerResult r =
                    new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(m.producerId());
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic t : m.topics()) {
                WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult tr =
                        new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName(t.name());
                t.partitionIndexes()
                        .forEach(p -> tr.partitions()
                                .add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                                        .setPartitionIndex(p)
                                        .setErrorCode(answer.code())));
                r.topics().add(tr);
            }
            response.markers().add(r);
        }
        return response;
    }
}
