package io.strand.server.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The WriteTxnMarkers requests the coordinator sends and how it reads their answers. */
class MarkerSenderTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final TopicPartition B0 = new TopicPartition("b", 0);

    @Test
    void shouldCarryProducerEpochCoordinatorEpochAndResult() {
        MarkerSender.Marker m = new MarkerSender.Marker(7, (short) 3, 12, true, Set.of(A1, B0, A0), e -> {});
        WriteTxnMarkersRequestData r = MarkerSender.request(List.of(m));
        assertEquals(1, r.markers().size());
        var w = r.markers().get(0);
        assertEquals(7, w.producerId());
        assertEquals(3, w.producerEpoch());
        assertEquals(12, w.coordinatorEpoch());
        assertTrue(w.transactionResult());
        assertEquals(0, w.transactionVersion(), "the classic protocol");
        assertEquals("a", w.topics().get(0).name());
        assertEquals(List.of(0, 1), w.topics().get(0).partitionIndexes());
        assertEquals("b", w.topics().get(1).name());
    }

    @Test
    void shouldAnswerEveryPartitionAndRetryWhatTheLeaderDidNotMention() {
        MarkerSender.Marker m = new MarkerSender.Marker(7, (short) 3, 12, false, Set.of(A0, A1), e -> {});
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        var result = new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(7);
        var topic = new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName("a");
        topic.partitions()
                .add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                        .setPartitionIndex(0)
                        .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()));
        result.topics().add(topic);
        response.markers().add(result);
        assertEquals(
                Map.of(A0, Errors.NOT_LEADER_OR_FOLLOWER, A1, Errors.REQUEST_TIMED_OUT),
                MarkerSender.answerFor(m, response));
    }

    @Test
    void shouldAnswerBrokerNotAvailableWhenTheLeaderCannotBeReached() throws Exception {
        List<Integer> tried = new CopyOnWriteArrayList<>();
        MarkerSender.Transport down = (brokerId, request) -> {
            tried.add(brokerId);
            throw new IOException("connection refused");
        };
        try (MarkerSender sender = new MarkerSender(1, down)) {
            CompletableFuture<Map<TopicPartition, Errors>> answer = new CompletableFuture<>();
            sender.send(2, new MarkerSender.Marker(7, (short) 0, 0, true, Set.of(A0), answer::complete));
            assertEquals(Map.of(A0, Errors.BROKER_NOT_AVAILABLE), answer.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(2), tried);
        }
    }
}
