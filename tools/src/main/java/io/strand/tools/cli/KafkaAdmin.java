package io.strand.tools.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The one way every command talks to Kafka's {@link Admin} client: made from the {@link BrokerFlags}
 * ({@code --command-config}'s properties, client id {@code strand-cli}, request and API timeouts of
 * {@code --timeout-ms}), every wait
 * bounded by {@code --timeout-ms}, failures unwrapped into one-line {@link CliException}s. Two ways to
 * wait, for the two kinds of message the commands print:
 *
 * <ul>
 *   <li>{@link #await}: a Kafka API error is rethrown as it is, for the command to name the topic
 *       or partition; a cluster that does not answer is "cluster unreachable: no answer from ...".
 *   <li>{@link #awaitOrFail}: every failure is a {@link CliException} "WHAT: reason" (the groups
 *       commands).
 * </ul>
 *
 * <p>Not thread-safe: one per command run, used on the command's thread.
 */
public final class KafkaAdmin implements AutoCloseable {
    /** How much longer than --timeout-ms a wait lasts: the Admin client itself gives up after --timeout-ms. */
    private static final long GRACE_MS = 5_000;

    private final Admin admin;
    private final String bootstrap;
    private final int timeoutMs;

    private KafkaAdmin(Admin admin, String bootstrap, int timeoutMs) {
        this.admin = admin;
        this.bootstrap = bootstrap;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Connects to the brokers the flags name; the caller closes it.
     *
     * @throws UsageException for a bad --timeout-ms or --bootstrap-server (checked in that order)
     * @throws CliException if the client cannot be made (e.g. no bootstrap address resolves)
     */
    public static KafkaAdmin open(BrokerFlags flags) {
        int timeoutMs = flags.timeoutMs();
        String bootstrap = flags.servers();
        Properties props = flags.clientProperties();
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

    /** Kafka's client, to start calls with; wait for their futures with {@link #await} or {@link #awaitOrFail}. */
    public Admin admin() {
        return admin;
    }

    /**
     * Waits for {@code future}.
     *
     * @param what what the call does, for messages: "listing topics"
     * @throws ApiException the Kafka error, for the caller to name
     * @throws CliException if the cluster did not answer in time
     */
    public <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeoutMs + GRACE_MS, TimeUnit.MILLISECONDS);
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

    /**
     * Waits for {@code future}; every failure, Kafka API errors included, is a {@link CliException}
     * "WHAT: reason" ("WHAT: no answer within N ms" when the cluster did not answer).
     */
    public <T> T awaitOrFail(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeoutMs + GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(what + ": interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CliException(what + ": no answer within " + timeoutMs + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = Failures.unwrap(e);
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

    /**
     * Sets and deletes config overrides of one resource (IncrementalAlterConfigs) and waits as
     * {@link #await} does.
     *
     * @throws ApiException the Kafka error, for the caller to name
     */
    public void alterConfigs(ConfigResource resource, Map<String, String> set, Collection<String> delete, String what) {
        List<AlterConfigOp> ops = new ArrayList<>();
        set.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
        delete.forEach(k -> ops.add(new AlterConfigOp(new ConfigEntry(k, ""), AlterConfigOp.OpType.DELETE)));
        await(admin.incrementalAlterConfigs(Map.of(resource, ops)).all(), what);
    }

    /** The broker ids of {@code nodes} (replica and ISR lists), in order. */
    public static List<Integer> ids(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
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
