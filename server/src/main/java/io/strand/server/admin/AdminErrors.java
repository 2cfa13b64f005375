package io.strand.server.admin;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An admin failure as the Kafka error code and message a response carries. */
public record AdminErrors(Errors error, String message) {
    private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

    public static final AdminErrors NONE = new AdminErrors(Errors.NONE, null);

    /** The error for {@code t}: Kafka's code for its API exceptions, REQUEST_TIMED_OUT for waits, else UNKNOWN_SERVER_ERROR. */
    public static AdminErrors of(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiException) {
            return new AdminErrors(Errors.forException(e), e.getMessage());
        }
        if (e instanceof TimeoutException) {
            return new AdminErrors(
                    Errors.REQUEST_TIMED_OUT, "the operation did not finish within the request's timeout");
        }
        log.warn("Admin operation failed", e);
        return new AdminErrors(Errors.UNKNOWN_SERVER_ERROR, String.valueOf(e.getMessage()));
    }

    public static AdminErrors of(Errors error, String message) {
        return new AdminErrors(error, message);
    }

    public short code() {
        return error.code();
    }
}
