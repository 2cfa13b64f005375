package io.strand.server.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends transaction markers to partition leaders (Kafka's TransactionMarkerChannelManager, simplified):
 * one queue and one thread ({@code txn-marker-sender-<me>-to-<leader>}) per leader broker, which
 * takes what is queued for that leader, sends it as one WriteTxnMarkers request (one marker per
 * transaction) and hands each marker's per-partition errors to its {@link Marker#onAnswer}. A leader
 * that cannot be reached (or does not serve WriteTxnMarkers) answers every partition with
 * BROKER_NOT_AVAILABLE; the caller decides what to retry. Request threads and coordinator shards
 * only enqueue: nothing here blocks them.
 *
 * <p>Thread-safe.
 */
final class MarkerSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MarkerSender.class);
    private static final int MAX_MARKERS_PER_REQUEST = 500;

    /** Sends one WriteTxnMarkers request to a broker and waits for its answer (a blocking network call). */
    interface Transport extends AutoCloseable {
        WriteTxnMarkersResponseData send(int brokerId, WriteTxnMarkersRequestData request) throws IOException;

        @Override
        default void close() {}
    }

    /**
     * One transaction's marker for the partitions one leader leads: producer id and epoch, the
     * coordinator epoch (the leader epoch of the coordinator's __transaction_state partition), commit
     * or abort; {@code onAnswer} gets an error for every partition, on the sender thread.
     */
    record Marker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            Set<TopicPartition> partitions,
            Consumer<Map<TopicPartition, Errors>> onAnswer) {}

    private final int localBrokerId;
    private final Transport transport;
    private final Map<Integer, Destination> destinations = new ConcurrentHashMap<>();
    private volatile boolean closed;

    MarkerSender(int localBrokerId, Transport transport) {
        this.localBrokerId = localBrokerId;
        this.transport = transport;
    }

    /** Queues {@code marker} for broker {@code leaderId}. */
    void send(int leaderId, Marker marker) {
        if (closed) {
            return;
        }
        destinations.computeIfAbsent(leaderId, Destination::new).queue.add(marker);
    }

    /** Markers queued or in flight (a gauge). */
    int queued() {
        return destinations.values().stream().mapToInt(d -> d.queue.size()).sum();
    }

    /** The request carrying {@code markers} (transaction version 0: the classic protocol). */
    static WriteTxnMarkersRequestData request(List<Marker> markers) {
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData();
        for (Marker m : markers) {
            Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
            m.partitions().stream()
                    .sorted(TxnMetadata.ORDER)
                    .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                            .add(tp.partition()));
            List<WritableTxnMarkerTopic> topics = new ArrayList<>();
            byTopic.forEach((topic, partitions) ->
                    topics.add(new WritableTxnMarkerTopic().setName(topic).setPartitionIndexes(partitions)));
            data.markers()
                    .add(new WritableTxnMarker()
                            .setProducerId(m.producerId())
                            .setProducerEpoch(m.producerEpoch())
                            .setTransactionResult(m.commit())
                            .setTopics(topics)
                            .setCoordinatorEpoch(m.coordinatorEpoch())
                            .setTransactionVersion((byte) 0));
        }
        return data;
    }

    /** Each marker's per-partition errors; a partition the response does not mention is REQUEST_TIMED_OUT (retried). */
    static Map<TopicPartition, Errors> answerFor(Marker m, WriteTxnMarkersResponseData response) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult r : response.markers()) {
            if (r.producerId() != m.producerId()) {
                continue;
            }
            for (var t : r.topics()) {
                for (var p : t.partitions()) {
                    TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                    if (m.partitions().contains(tp)) {
                        out.put(tp, Errors.forCode(p.errorCode()));
                    }
                }
            }
        }
        m.partitions().forEach(tp -> out.putIfAbsent(tp, Errors.REQUEST_TIMED_OUT));
        return out;
    }

    private final class Destination implements Runnable {
        final int brokerId;
        final BlockingQueue<Marker> queue = new LinkedBlockingQueue<>();
        private final Thread thread;
        private boolean failing;

        Destination(int brokerId) {
            this.brokerId = brokerId;
            this.thread = new Thread(this, "txn-marker-sender-" + localBrokerId + "-to-" + brokerId);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            while (!closed) {
                List<Marker> batch = new ArrayList<>();
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    return;
                }
                List<Marker> more = new ArrayList<>();
                queue.drainTo(more, MAX_MARKERS_PER_REQUEST);
                // one marker per producer id in a request (the response is keyed by producer id)
                Set<Long> producers = new HashSet<>();
                producers.add(batch.get(0).producerId());
                for (Marker m : more) {
                    if (producers.add(m.producerId())) {
                        batch.add(m);
                    } else {
                        queue.add(m);
                    }
                }
                sendBatch(batch);
            }
        }

        private void sendBatch(List<Marker> batch) {
            WriteTxnMarkersResponseData response;
            try {
                response = transport.send(brokerId, request(batch));
                if (failing) {
                    log.info("Transaction markers reach broker {} again", brokerId);
                    failing = false;
                }
            } catch (IOException | RuntimeException e) {
                if (!failing) {
                    log.warn(
                            "Cannot send {} transaction markers to broker {}: {}; retrying",
                            batch.size(),
                            brokerId,
                            e.toString());
                    failing = true;
                }
                for (Marker m : batch) {
                    Map<TopicPartition, Errors> all = new HashMap<>();
                    m.partitions().forEach(tp -> all.put(tp, Errors.BROKER_NOT_AVAILABLE));
                    answer(m, all);
                }
                return;
            }
            for (Marker m : batch) {
                answer(m, answerFor(m, response));
            }
        }

        private void answer(Marker m, Map<TopicPartition, Errors> errors) {
            try {
                m.onAnswer().accept(errors);
            } catch (RuntimeException e) {
                log.error("Handling the marker answer of producer id {} failed", m.producerId(), e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        destinations.values().forEach(d -> d.thread.interrupt());
        destinations.clear();
        transport.close();
    }
}
