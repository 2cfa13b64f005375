package io.strand.tools.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/** Turns exceptions into the one line a user reads, and holds the messages several command groups share. */
public final class Failures {
    private Failures() {}

    /** The cause of an {@link ExecutionException} or {@link CompletionException}, unwrapped. */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** "ERROR_CODE: message" for Kafka API errors, "message" otherwise; never more than one line. */
    public static String describe(Throwable t) {
        Throwable e = unwrap(t);
        String message = e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName()
                : e.getMessage();
        if (e instanceof ApiException) {
            Errors code = Errors.forException(e);
            if (code != Errors.UNKNOWN_SERVER_ERROR) {
                message = code.name() + ": " + message;
            }
        }
        return oneLine(message);
    }

    public static String oneLine(String s) {
        return s.replace("\r", "").replace('\n', ' ').trim();
    }

    /**
     * "topic 'orders' does not exist (UNKNOWN_TOPIC_OR_PARTITION; WHERE)".
     *
     * @param where where it was looked for, or "" when the broker said so
     */
    public static String unknownTopic(String topic, String where) {
        return "topic '" + topic + "' does not exist (UNKNOWN_TOPIC_OR_PARTITION"
                + (where.isEmpty() ? "" : "; " + where) + ")";
    }
}
