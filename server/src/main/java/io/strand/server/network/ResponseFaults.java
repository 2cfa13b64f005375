package io.strand.server.network;

import java.util.function.Predicate;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Fault injection for tests: when {@link #dropResponseAndClose} matches a request, its response is
 * not sent and the connection is closed, after the request took effect (a produce was appended).
 * The client then sees a lost response and retries. Off (null) unless a test sets it.
 */
public final class ResponseFaults {
    private volatile Predicate<RequestHeader> dropResponseAndClose;

    public void dropResponseAndCloseWhen(Predicate<RequestHeader> condition) {
        this.dropResponseAndClose = condition;
    }

    boolean shouldDrop(RequestHeader header) {
        Predicate<RequestHeader> p = dropResponseAndClose;
        return p != null && p.test(header);
    }
}
