package io.strand.tools;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TimeoutException;

/** Waiting on Admin futures for the groups commands, with failures as one-line {@link CliException}s. */
final class GroupsAdmin {
    private GroupsAdmin() {}

    static <T> T await(KafkaFuture<T> f, int timeoutMs, String what) {
        try {
            return f.get(timeoutMs + 1_000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(what + ": interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CliException(what + ": no answer within " + timeoutMs + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof GroupIdNotFoundException) {
                throw new CliException(what + ": " + cause.getMessage(), cause);
            }
            if (cause instanceof TimeoutException) {
                throw new CliException(
                        what + ": no answer within " + timeoutMs + " ms (" + cause.getMessage() + ")", cause);
            }
            throw new CliException(what + ": " + Failures.describe(cause), cause);
        }
    }
}
