package io.strand.server.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.RawKafkaConnection;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Incremental fetch sessions (KIP-227) on the wire, with raw Fetch requests: a full fetch opens a
 * session, an incremental one answers only the partitions that changed, forgotten partitions leave the
 * session, and wrong session fields get Kafka's error codes.
 */
@ExtendWith(StrandClusterExtension.class)
class FetchSessionProtocolTest {
    private static final short VERSION = ApiKeys.FETCH.latestVersion();

    @BrokerCluster
    private static StrandTestCluster cluster;

    /** A fetch by topic id of {@code offsets} (partition → fetch offset) in session {@code sessionId} at {@code epoch}. */
    private static FetchRequestData fetch(
            Uuid topicId,
            int sessionId,
            int epoch,
            Map<Integer, Long> offsets,
            List<Integer> forgotten,
            int maxWaitMs) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(topicId);
        offsets.forEach((p, offset) -> topic.partitions()
                .add(new FetchRequestData.FetchPartition()
                        .setPartition(p)
                        .setFetchOffset(offset)
                        .setPartitionMaxBytes(1 << 20)));
        FetchRequestData request = new FetchRequestData()
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionId(sessionId)
                .setSessionEpoch(epoch)
                .setTopics(offsets.isEmpty() ? List.of() : List.of(topic));
        request.replicaState().setReplicaId(-1);
        if (!forgotten.isEmpty()) {
            request.forgottenTopicsData()
                    .add(new FetchRequestData.ForgottenTopic()
                            .setTopicId(topicId)
                            .setPartitions(forgotten));
        }
        return request;
    }

    private static FetchResponseData send(RawKafkaConnection c, FetchRequestData request) throws Exception {
        return ((FetchResponse) c.send(ApiKeys.FETCH, VERSION, request)).data();
    }

    /** The partitions a response carries, by index. */
    private static Map<Integer, FetchResponseData.PartitionData> partitions(FetchResponseData response) {
        Map<Integer, FetchResponseData.PartitionData> out = new TreeMap<>();
        response.responses().forEach(t -> t.partitions().forEach(p -> out.put(p.partitionIndex(), p)));
        return out;
    }

    /** Records are produced with acks=all: the high watermark has passed them when the produce returns. */
    private static RawKafkaConnection connect() throws Exception {
        return new RawKafkaConnection("127.0.0.1", cluster.port(1));
    }

    @SuppressWarnings("unchecked")
    private static long gauge(String name) {
        Gauge<Number> g = (Gauge<Number>) cluster.broker(1)
                .metrics()
                .registry()
                .getGauges()
                .get("kafka.server:type=FetchSessionCache,name=" + name);
        return g.getValue().longValue();
    }

    @Test
    void shouldAnswerAnIncrementalFetchWithOnlyThePartitionsThatChanged() throws Exception {
        Uuid topicId = cluster.createTopic("session-changes", 3, 1);
        try (RawKafkaConnection c = connect();
                RawKafkaConnection producer = connect()) {
            // given a full fetch of three partitions, which opens a session
            FetchResponseData full = send(c, fetch(topicId, 0, 0, Map.of(0, 0L, 1, 0L, 2, 0L), List.of(), 0));
            assertEquals(Errors.NONE.code(), full.errorCode());
            int session = full.sessionId();
            assertNotEquals(0, session, "a full fetch at epoch 0 opens a session");
            assertEquals(Map.of(0, 0L, 1, 0L, 2, 0L), highWatermarks(full));
            assertTrue(gauge("NumIncrementalFetchSessions") >= 1);
            assertTrue(gauge("NumIncrementalFetchPartitionsCached") >= 3);

            // when nothing changed, the incremental response carries no partition
            FetchResponseData idle = send(c, fetch(topicId, session, 1, Map.of(), List.of(), 0));
            assertEquals(Errors.NONE.code(), idle.errorCode());
            assertEquals(session, idle.sessionId());
            assertEquals(Map.of(), partitions(idle));

            // when one partition gets a record, only it comes back, with the record
            assertEquals(Errors.NONE, producer.produce("session-changes", 1, (short) -1, 5000, "one"));
            FetchResponseData one = send(c, fetch(topicId, session, 2, Map.of(), List.of(), 0));
            assertEquals(List.of(1), List.copyOf(partitions(one).keySet()));
            assertEquals(1, partitions(one).get(1).highWatermark());
            assertTrue(partitions(one).get(1).records().sizeInBytes() > 0);

            // the fetcher moves past it: a partition named with nothing new is not answered
            FetchResponseData moved = send(c, fetch(topicId, session, 3, Map.of(1, 1L), List.of(), 0));
            assertEquals(Map.of(), partitions(moved));

            // a long-polling incremental fetch wakes for a record on another partition, and carries only it
            CompletableFuture<Errors> later = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return producer.produce("session-changes", 2, (short) -1, 5000, "two");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
            long start = System.nanoTime();
            FetchResponseData woken = send(c, fetch(topicId, session, 4, Map.of(), List.of(), 10_000));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8), "woken by the record, not the timeout");
            assertEquals(Errors.NONE, later.get());
            assertEquals(List.of(2), List.copyOf(partitions(woken).keySet()));
            assertTrue(partitions(woken).get(2).records().sizeInBytes() > 0);
        }
    }

    @Test
    void shouldForgetPartitionsAndCloseASessionLeftEmpty() throws Exception {
        Uuid topicId = cluster.createTopic("session-forget", 3, 1);
        try (RawKafkaConnection c = connect();
                RawKafkaConnection producer = connect()) {
            int session = send(c, fetch(topicId, 0, 0, Map.of(0, 0L, 1, 0L, 2, 0L), List.of(), 0))
                    .sessionId();
            // given partition 0 forgotten
            assertEquals(Map.of(), partitions(send(c, fetch(topicId, session, 1, Map.of(), List.of(0), 0))));
            // when partitions 0 and 1 get records, only 1 comes back
            assertEquals(Errors.NONE, producer.produce("session-forget", 0, (short) -1, 5000, "zero"));
            assertEquals(Errors.NONE, producer.produce("session-forget", 1, (short) -1, 5000, "one"));
            FetchResponseData after = send(c, fetch(topicId, session, 2, Map.of(), List.of(), 0));
            assertEquals(List.of(1), List.copyOf(partitions(after).keySet()));

            // a partition named again joins the session and is answered (1, moved past its record, is not)
            FetchResponseData added = send(c, fetch(topicId, session, 3, Map.of(0, 0L, 1, 1L), List.of(), 0));
            assertEquals(List.of(0), List.copyOf(partitions(added).keySet()));
            assertEquals(1, partitions(added).get(0).highWatermark());

            // forgetting every partition closes the session: answered without one, then unknown
            FetchResponseData emptied = send(c, fetch(topicId, session, 4, Map.of(), List.of(0, 1, 2), 0));
            assertEquals(Errors.NONE.code(), emptied.errorCode());
            assertEquals(0, emptied.sessionId());
            assertEquals(
                    Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                    send(c, fetch(topicId, session, 5, Map.of(), List.of(), 0)).errorCode());
        }
    }

    @Test
    void shouldAnswerWrongSessionFieldsWithKafkasErrors() throws Exception {
        Uuid topicId = cluster.createTopic("session-errors", 2, 1);
        try (RawKafkaConnection c = connect()) {
            int session = send(c, fetch(topicId, 0, 0, Map.of(0, 0L, 1, 0L), List.of(), 0))
                    .sessionId();
            assertNotEquals(0, session);

            // a wrong epoch: INVALID_FETCH_SESSION_EPOCH, no partitions; the session itself stays
            FetchResponseData wrongEpoch = send(c, fetch(topicId, session, 7, Map.of(), List.of(), 0));
            assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH.code(), wrongEpoch.errorCode());
            assertEquals(0, wrongEpoch.sessionId());
            assertEquals(Map.of(), partitions(wrongEpoch));
            assertEquals(
                    Errors.NONE.code(),
                    send(c, fetch(topicId, session, 1, Map.of(), List.of(), 0)).errorCode());

            // an unknown session id: FETCH_SESSION_ID_NOT_FOUND
            int unknown = session == Integer.MAX_VALUE ? 1 : session + 1;
            assertEquals(
                    Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                    send(c, fetch(topicId, unknown, 1, Map.of(), List.of(), 0)).errorCode());

            // a session of topic ids continued by a Fetch version that names topics: FETCH_SESSION_TOPIC_ID_ERROR
            FetchRequestData byName = new FetchRequestData()
                    .setReplicaId(-1)
                    .setMaxBytes(1 << 20)
                    .setSessionId(session)
                    .setSessionEpoch(2);
            FetchResponse named = (FetchResponse) c.send(ApiKeys.FETCH, (short) 12, byName);
            assertEquals(
                    Errors.FETCH_SESSION_TOPIC_ID_ERROR.code(), named.data().errorCode());

            // a full fetch naming the session closes it and opens another
            FetchResponseData reopened = send(c, fetch(topicId, session, 0, Map.of(0, 0L, 1, 0L), List.of(), 0));
            assertNotEquals(session, reopened.sessionId());
            assertNotEquals(0, reopened.sessionId());
            assertEquals(
                    Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                    send(c, fetch(topicId, session, 2, Map.of(), List.of(), 0)).errorCode());

            // the final epoch (-1) closes it and is answered in full without a session
            FetchResponseData last =
                    send(c, fetch(topicId, reopened.sessionId(), -1, Map.of(0, 0L, 1, 0L), List.of(), 0));
            assertEquals(Errors.NONE.code(), last.errorCode());
            assertEquals(0, last.sessionId());
            assertEquals(2, partitions(last).size());
            assertEquals(
                    Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                    send(c, fetch(topicId, reopened.sessionId(), 1, Map.of(), List.of(), 0))
                            .errorCode());
        }
    }

    private static Map<Integer, Long> highWatermarks(FetchResponseData response) {
        Map<Integer, Long> out = new TreeMap<>();
        partitions(response).forEach((p, d) -> out.put(p, d.highWatermark()));
        return out;
    }
}
