package io.strand.tools;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Kafka's {@link Admin} client for one command run, with waits bounded by {@code --timeout-ms}: a
 * Kafka API error is rethrown as it is, for the command to name the topic or partition; a cluster
 * that does not answer becomes a one-line {@link CliException}. Not thread-safe.
 */
final class KafkaAdmin implements AutoCloseable {
    private final Admin admin;
    private final String bootstrap;
    private final int timeoutMs;

    private KafkaAdmin(Admin admin, String bootstrap, int timeoutMs) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.timeoutMs = timeoutMs;
    }

    static KafkaAdmin open(String bootstrap, int timeoutMs) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "strand-cli");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        try {
            return new KafkaAdmin(Admin.create(props), bootstrap, timeoutMs);
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CliException("cluster unreachable at " + bootstrap + ": " + Failures.describe(cause), e);
        }
    }

    Admin admin() {
        return admin;
    }

    int timeoutMs() {
        return timeoutMs;
    }

    /**
     * Waits for {@code future}.
     *
     * @throws ApiException the Kafka error, for the caller to name
     * @throws CliException if the cluster did not answer in time
     */
    <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeoutMs + 5_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = Failures.unwrap(e);
            if (cause instanceof TimeoutException) {
                throw unreachable(what, cause);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new CliException(what + " failed: " + Failures.describe(cause), cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while " + what, e);
        }
    }

    private CliException unreachable(String what, Throwable cause) {
        return new CliException(
                "cluster unreachable: no answer from " + bootstrap + " within " + timeoutMs + " ms while " + what + " ("
                        + Failures.oneLine(String.valueOf(cause.getMessage())) + ")",
                cause);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
