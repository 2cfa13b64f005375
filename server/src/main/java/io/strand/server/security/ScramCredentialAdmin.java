package io.strand.server.security;

import io.strand.coordinator.admin.ScramCredentialStore;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeUserScramCredentials and AlterUserScramCredentials with the checks and errors of Kafka's
 * ZooKeeper-mode broker ({@code ZkAdminManager}): an empty user name, an unknown mechanism
 * (UNSUPPORTED_SASL_MECHANISM), iterations outside 4096..16384 (UNACCEPTABLE_CREDENTIAL), the same
 * user and mechanism twice (DUPLICATE_RESOURCE), deleting or describing what does not exist
 * (RESOURCE_NOT_FOUND). A user's changes are one write ({@link ScramCredentialStore#alter}); the
 * client salts the password, only the derived keys are stored. Work runs on the blocking pool.
 *
 * <p>Thread-safe.
 */
public final class ScramCredentialAdmin {
    private static final Logger log = LoggerFactory.getLogger(ScramCredentialAdmin.class);

    static final String EMPTY_USER = "Username must not be empty";
    static final String UNKNOWN_MECHANISM = "Unknown SCRAM mechanism";

    private final ScramCredentialStore store;
    private final Executor blockingPool;

    public ScramCredentialAdmin(ScramCredentialStore store, Executor blockingPool) {
        this.store = store;
        this.blockingPool = blockingPool;
    }

    public CompletionStage<DescribeUserScramCredentialsResponseData> describe(
            DescribeUserScramCredentialsRequestData request) {
        return CompletableFuture.supplyAsync(() -> describeNow(request), blockingPool);
    }

    public CompletionStage<AlterUserScramCredentialsResponseData> alter(AlterUserScramCredentialsRequestData request) {
        return CompletableFuture.supplyAsync(() -> alterNow(request), blockingPool);
    }

    private DescribeUserScramCredentialsResponseData describeNow(DescribeUserScramCredentialsRequestData request) {
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        try {
            if (request.users() == null || request.users().isEmpty()) {
                SortedMap<String, Map<org.apache.kafka.common.security.scram.internals.ScramMechanism, ScramCredential>>
                        all = store.describeAll();
                all.forEach((user, creds) -> response.results().add(found(user, creds)));
                return response;
            }
            List<String> asked = request.users().stream()
                    .map(DescribeUserScramCredentialsRequestData.UserName::name)
                    .toList();
            Map<String, Integer> counts = new HashMap<>();
            asked.forEach(u -> counts.merge(u, 1, Integer::sum));
            for (String user : new LinkedHashSet<>(asked)) {
                DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
                if (user.isEmpty()) {
                    result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code()).setErrorMessage(EMPTY_USER);
                } else if (counts.get(user) > 1) {
                    result.setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                            .setErrorMessage(
                                    "Cannot describe SCRAM credentials for the same user twice in a single request: "
                                            + user);
                } else {
                    var creds = store.describe(user);
                    if (creds.isEmpty()) {
                        result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                                .setErrorMessage("Attempt to describe a user credential that does not exist: " + user);
                    } else {
                        result = found(user, creds);
                    }
                }
                response.results().add(result);
            }
        } catch (RuntimeException e) {
            log.error("Error processing describe user SCRAM credential configs request", e);
            Errors error = Errors.forException(e);
            response.results().clear();
            response.setErrorCode(error.code()).setErrorMessage(error.message());
        }
        return response;
    }

    private static DescribeUserScramCredentialsResult found(
            String user, Map<org.apache.kafka.common.security.scram.internals.ScramMechanism, ScramCredential> creds) {
        DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
        creds.forEach((m, c) -> result.credentialInfos()
                .add(new CredentialInfo().setMechanism(m.type()).setIterations(c.iterations())));
        return result;
    }

    private AlterUserScramCredentialsResponseData alterNow(AlterUserScramCredentialsRequestData request) {
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        // 1. users with an illegal request: empty name, unknown mechanism, iterations out of bounds
        Map<String, String> illegal = new LinkedHashMap<>();
        for (ScramCredentialDeletion d : request.deletions()) {
            if (d.name().isEmpty()) {
                illegal.put(d.name(), EMPTY_USER);
            } else if (ScramMechanism.fromType(d.mechanism()) == ScramMechanism.UNKNOWN) {
                illegal.put(d.name(), UNKNOWN_MECHANISM);
            }
        }
        for (ScramCredentialUpsertion u : request.upsertions()) {
            ScramMechanism m = ScramMechanism.fromType(u.mechanism());
            if (u.name().isEmpty()) {
                illegal.put(u.name(), EMPTY_USER);
            } else if (m == ScramMechanism.UNKNOWN) {
                illegal.put(u.name(), UNKNOWN_MECHANISM);
            } else if (u.iterations() > ScramCredentialStore.MAX_ITERATIONS) {
                illegal.put(u.name(), "Too many iterations");
            } else if (u.iterations() < internal(m).minIterations()) {
                illegal.put(u.name(), "Too few iterations");
            }
        }
        illegal.forEach((user, message) -> response.results()
                .add(new AlterUserScramCredentialsResult()
                        .setUser(user)
                        .setErrorCode(
                                message.equals(UNKNOWN_MECHANISM)
                                        ? Errors.UNSUPPORTED_SASL_MECHANISM.code()
                                        : Errors.UNACCEPTABLE_CREDENTIAL.code())
                        .setErrorMessage(message)));
        // 2. users naming one mechanism twice
        Map<String, Set<Byte>> seen = new LinkedHashMap<>();
        Set<String> duplicated = new LinkedHashSet<>();
        List<Object> changes = new ArrayList<>(request.deletions());
        changes.addAll(request.upsertions());
        for (Object c : changes) {
            String user = c instanceof ScramCredentialDeletion d ? d.name() : ((ScramCredentialUpsertion) c).name();
            byte mechanism =
                    c instanceof ScramCredentialDeletion d ? d.mechanism() : ((ScramCredentialUpsertion) c).mechanism();
            if (!illegal.containsKey(user)
                    && !seen.computeIfAbsent(user, k -> new LinkedHashSet<>()).add(mechanism)) {
                duplicated.add(user);
            }
        }
        duplicated.forEach(user -> response.results()
                .add(new AlterUserScramCredentialsResult()
                        .setUser(user)
                        .setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                        .setErrorMessage("A user credential cannot be altered twice in the same request")));
        // 3. the others: one write per user
        for (String user : seen.keySet()) {
            if (duplicated.contains(user)) {
                continue;
            }
            AlterUserScramCredentialsResult result = new AlterUserScramCredentialsResult().setUser(user);
            try {
                Map<org.apache.kafka.common.security.scram.internals.ScramMechanism, ScramCredential> upserts =
                        new EnumMap<>(org.apache.kafka.common.security.scram.internals.ScramMechanism.class);
                Set<org.apache.kafka.common.security.scram.internals.ScramMechanism> deletions = new LinkedHashSet<>();
                for (ScramCredentialDeletion d : request.deletions()) {
                    if (d.name().equals(user)) {
                        deletions.add(internal(ScramMechanism.fromType(d.mechanism())));
                    }
                }
                for (ScramCredentialUpsertion u : request.upsertions()) {
                    if (u.name().equals(user)) {
                        var m = internal(ScramMechanism.fromType(u.mechanism()));
                        upserts.put(
                                m,
                                new ScramFormatter(m).generateCredential(u.salt(), u.saltedPassword(), u.iterations()));
                    }
                }
                // Authorization (ALTER on CLUSTER, as Kafka checks) is the ACL work's: see
                // AlterUserScramCredentialsHandler
                store.alter(user, upserts, deletions);
                result.setErrorCode(Errors.NONE.code());
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            } catch (NoSuchAlgorithmException | RuntimeException e) {
                log.info("Error encountered while altering user SCRAM credentials of {}", user, e);
                Errors error = Errors.forException(e);
                result.setErrorCode(error.code()).setErrorMessage(error.message());
            }
            response.results().add(result);
        }
        return response;
    }

    private static org.apache.kafka.common.security.scram.internals.ScramMechanism internal(ScramMechanism m) {
        return org.apache.kafka.common.security.scram.internals.ScramMechanism.forMechanismName(m.mechanismName());
    }
}
