package io.strand.server.network;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests a stopping broker leaves unanswered: a produce waiting for its acknowledgements, a fetch parked
 * until data arrives, a request still queued for the request pool. When the broker stops, its connections close
 * before the pools and timers that would have completed those requests; a request's buffer is released only when
 * its handler is done with it, so those buffers would never be released. The broker closes this last, once nothing
 * that could still read them runs, and it releases them then.
 *
 * <p>Only a stopping broker's connections hand their requests over: a request left unanswered while the broker
 * runs is a bug that Netty's leak detector should still report.
 */
public final class UnansweredRequests implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnansweredRequests.class);

    private final List<Runnable> releases = new ArrayList<>();
    private volatile boolean stopping;

    /** From now on, connections that close hand over the requests they have not answered. */
    void stopping() {
        stopping = true;
    }

    boolean isStopping() {
        return stopping;
    }

    /** {@code release} frees an unanswered request's buffer (at most once, however often it is called). */
    synchronized void adopt(Runnable release) {
        releases.add(release);
    }

    /** Releases the buffers of the requests left unanswered; call when nothing that could still read them runs. */
    @Override
    public synchronized void close() {
        if (!releases.isEmpty()) {
            log.debug("Releasing the buffers of {} requests left unanswered by the broker's stop", releases.size());
        }
        releases.forEach(Runnable::run);
        releases.clear();
    }
}
