package io.strand.server.metrics;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Kafka's per-request metrics, {@code kafka.network:type=RequestMetrics,name=N,request=R}, for each
 * request name R ({@code Produce}, {@code Metadata}, ...; a Fetch counts under {@code Fetch} and under
 * {@code FetchConsumer} or {@code FetchFollower}, as in Kafka), created at the first request of that
 * name:
 *
 * <ul>
 *   <li>{@code RequestsPerSec} (a meter, per {@code version=}), requests answered (or dropped: acks=0);
 *   <li>timers, in nanoseconds in the registry and milliseconds over JMX, of each phase of a request:
 *       {@code RequestQueueTimeMs} from the frame read off the socket to its handler starting on a
 *       request thread (the connection's earlier requests and the pool's queue); {@code LocalTimeMs}
 *       the handler on the request thread; {@code RemoteTimeMs} from the handler's return until its
 *       response is known (a delayed operation: acks=all, a long-polling fetch, a group join; or
 *       asynchronous ZooKeeper work); {@code ResponseQueueTimeMs} from then until the connection's
 *       event loop takes it (earlier responses of the connection go first); {@code ResponseSendTimeMs}
 *       from then until the response is written to the socket; {@code TotalTimeMs} from the read to
 *       the write.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class RequestMetrics {
    static final String GROUP = "kafka.network";
    static final String TYPE = "RequestMetrics";

    /** The phases, in order, with their Kafka names. */
    public static final String REQUEST_QUEUE = "RequestQueueTimeMs";

    public static final String LOCAL = "LocalTimeMs";
    public static final String REMOTE = "RemoteTimeMs";
    public static final String RESPONSE_QUEUE = "ResponseQueueTimeMs";
    public static final String RESPONSE_SEND = "ResponseSendTimeMs";
    public static final String TOTAL = "TotalTimeMs";

    private final MetricRegistry registry;
    private final ConcurrentHashMap<String, PerRequest> byName = new ConcurrentHashMap<>();

    RequestMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    /** The times of one request, as {@link System#nanoTime()} readings; {@code sentNanos} -1 when nothing was sent. */
    public record Times(
            long receivedNanos,
            long startNanos,
            long handledNanos,
            long completedNanos,
            long dequeuedNanos,
            long sentNanos) {}

    /** Kafka's request name of {@code api}, with Fetch split by who fetches. */
    public static String requestName(ApiKeys api, boolean fromFollower) {
        if (api == ApiKeys.FETCH) {
            return fromFollower ? "FetchFollower" : "FetchConsumer";
        }
        return api.name;
    }

    /** Records one request under {@code name} (and under its API's name when that differs, e.g. Fetch). */
    public void record(ApiKeys api, String name, short version, Times t) {
        perRequest(name).record(version, t);
        if (!name.equals(api.name)) {
            perRequest(api.name).record(version, t);
        }
    }

    private PerRequest perRequest(String name) {
        PerRequest p = byName.get(name);
        return p != null ? p : byName.computeIfAbsent(name, n -> new PerRequest(registry, n));
    }

    /** The registry key of metric {@code metric} of request {@code request}. */
    public static String key(String metric, String request) {
        return KafkaMetricNames.name(GROUP, TYPE, metric, "request", request);
    }

    private static final class PerRequest {
        private final MetricRegistry registry;
        private final String request;
        private final ConcurrentHashMap<Short, Meter> rates = new ConcurrentHashMap<>();
        private final Timer queue;
        private final Timer local;
        private final Timer remote;
        private final Timer responseQueue;
        private final Timer send;
        private final Timer total;

        PerRequest(MetricRegistry registry, String request) {
            this.registry = registry;
            this.request = request;
            this.queue = registry.timer(key(REQUEST_QUEUE, request));
            this.local = registry.timer(key(LOCAL, request));
            this.remote = registry.timer(key(REMOTE, request));
            this.responseQueue = registry.timer(key(RESPONSE_QUEUE, request));
            this.send = registry.timer(key(RESPONSE_SEND, request));
            this.total = registry.timer(key(TOTAL, request));
        }

        void record(short version, Times t) {
            Meter rate = rates.get(version);
            if (rate == null) {
                rate = rates.computeIfAbsent(
                        version,
                        v -> registry.meter(KafkaMetricNames.name(
                                GROUP, TYPE, "RequestsPerSec", "request", request, "version", String.valueOf(v))));
            }
            rate.mark();
            update(queue, t.startNanos() - t.receivedNanos());
            update(local, t.handledNanos() - t.startNanos());
            update(remote, t.completedNanos() - t.handledNanos());
            update(responseQueue, t.dequeuedNanos() - t.completedNanos());
            long end = t.dequeuedNanos();
            if (t.sentNanos() >= 0) {
                update(send, t.sentNanos() - t.dequeuedNanos());
                end = t.sentNanos();
            }
            update(total, end - t.receivedNanos());
        }

        private static void update(Timer timer, long nanos) {
            timer.update(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
    }
}
