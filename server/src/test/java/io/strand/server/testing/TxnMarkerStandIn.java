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
 * Stands in for the partition leaders' WriteTxnMarkers while the broker has none (see {@code
 * HandlerDecorator.standIns}): answers NONE for every partition of every marker, writing nothing, and
 * records the markers it answered; a test can make it refuse them ({@link #refuseWith}). Once the broker serves WriteTxnMarkers itself this is not used.
 * Thread-safe.
 */
public final class TxnMarkerStandIn implements ApiHandler<WriteTxnMarkersRequestData> {
    private final List<WriteTxnMarkersRequestData.WritableTxnMarker> received = new CopyOnWriteArrayList<>();
    private volatile Errors refuseWith;

    /** Answers every partition with {@code error} from now on (a leader refusing markers); null: NONE again. */
    public void refuseWith(Errors error) {
        this.refuseWith = error;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    /** The markers answered so far (by every broker of the cluster). */
    public List<WriteTxnMarkersRequestData.WritableTxnMarker> received() {
        return List.copyOf(received);
    }

    @Override
    public CompletionStage<WriteTxnMarkersResponseData> handle(RequestContext ctx, WriteTxnMarkersRequestData request) {
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        Errors answer = refuseWith == null ? Errors.NONE : refuseWith;
        for (WriteTxnMarkersRequestData.WritableTxnMarker m : request.markers()) {
            if (answer == Errors.NONE) {
                received.add(m.duplicate());
            }
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
        return CompletableFuture.completedFuture(response);
    }

    @Override
    public String toString() {
        return "the test toolkit's TxnMarkerStandIn (answers NONE, writes nothing)";
    }
}
