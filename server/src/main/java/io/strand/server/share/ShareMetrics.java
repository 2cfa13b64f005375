package io.strand.server.share;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;

/**
 * The share-group counters of one broker (JMX domain strand.broker-&lt;id&gt;, names {@code share.*}):
 * records acquired, acknowledged (accepted), released, archived (rejected, gaps, the delivery-count
 * limit), and acquisition locks that expired. Thread-safe.
 */
public final class ShareMetrics {
    final Counter acquired;
    final Counter acknowledged;
    final Counter released;
    final Counter archived;
    final Counter lockExpiries;

    public ShareMetrics(MetricRegistry registry) {
        this.acquired = registry.counter("share.records-acquired");
        this.acknowledged = registry.counter("share.records-acknowledged");
        this.released = registry.counter("share.records-released");
        this.archived = registry.counter("share.records-archived");
        this.lockExpiries = registry.counter("share.lock-expiries");
    }

    /** Counters in a registry of their own (unit tests). */
    public static ShareMetrics detached() {
        return new ShareMetrics(new MetricRegistry());
    }

    public long acquired() {
        return acquired.getCount();
    }

    public long acknowledged() {
        return acknowledged.getCount();
    }

    public long released() {
        return released.getCount();
    }

    public long archived() {
        return archived.getCount();
    }

    public long lockExpiries() {
        return lockExpiries.getCount();
    }
}
