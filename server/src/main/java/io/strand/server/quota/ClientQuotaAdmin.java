package io.strand.server.quota;

import io.strand.coordinator.admin.ClientQuotaStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeClientQuotas and AlterClientQuotas with Kafka's checks and errors (its controller's {@code
 * ClientQuotaControlManager} and {@code ClientQuotasImage}): every problem is INVALID_REQUEST with
 * Kafka's message, per entity for alterations (an unknown key, a quota not above 0, a fractional byte
 * rate, a key or an entity twice, an empty or unknown entity type, an empty name) and for the whole
 * request for a bad filter (an unknown entity type there is UNSUPPORTED_VERSION, as in Kafka).
 * {@code controller_mutation_rate} and IP (connection-rate) quotas, which Kafka has and Strand does not
 * enforce, are refused with INVALID_REQUEST rather than stored and ignored. Describe reads ZooKeeper,
 * so it shows a change at once; each entity's alteration is one write ({@link ClientQuotaStore#alter}).
 * Work runs on the blocking pool.
 *
 * <p>Thread-safe.
 */
public final class ClientQuotaAdmin {
    private static final Logger log = LoggerFactory.getLogger(ClientQuotaAdmin.class);

    /** Kafka's user and client-id quota keys; the byte rates are LONG configs, the others DOUBLE. */
    private static final Set<String> LONG_KEYS = Set.of(QuotaType.PRODUCE.configKey(), QuotaType.FETCH.configKey());

    private static final Set<String> DOUBLE_KEYS = Set.of(QuotaType.REQUEST.configKey());
    private static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

    private final ClientQuotaStore store;
    private final Executor blockingPool;

    public ClientQuotaAdmin(ClientQuotaStore store, Executor blockingPool) {
        this.store = store;
        this.blockingPool = blockingPool;
    }

    public CompletionStage<DescribeClientQuotasResponseData> describe(DescribeClientQuotasRequestData request) {
        Filter filter = Filter.of(request); // a bad filter fails the request at once
        return CompletableFuture.supplyAsync(() -> describeNow(filter), blockingPool);
    }

    public CompletionStage<AlterClientQuotasResponseData> alter(AlterClientQuotasRequestData request) {
        return CompletableFuture.supplyAsync(() -> alterNow(request), blockingPool);
    }

    /** Kafka's describe filter: entity types matched exactly (a null name: the default) or by type. */
    private record Filter(Map<String, String> exact, Set<String> typed, boolean strict) {
        static Filter of(DescribeClientQuotasRequestData request) {
            Map<String, String> exact = new HashMap<>();
            Set<String> typed = new HashSet<>();
            for (DescribeClientQuotasRequestData.ComponentData c : request.components()) {
                String type = c.entityType();
                if (type.isEmpty()) {
                    throw new InvalidRequestException("Invalid empty entity type.");
                } else if (exact.containsKey(type) || typed.contains(type)) {
                    throw new InvalidRequestException(
                            "Entity type " + type + " cannot appear more than once in the filter.");
                }
                if (!type.equals(ClientQuotaEntity.USER)
                        && !type.equals(ClientQuotaEntity.CLIENT_ID)
                        && !type.equals(ClientQuotaEntity.IP)) {
                    throw new UnsupportedVersionException("Unsupported entity type " + type);
                }
                switch (c.matchType()) {
                    case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> {
                        if (c.match() == null) {
                            throw new InvalidRequestException(
                                    "Request specified MATCH_TYPE_EXACT, but set match string to null.");
                        }
                        exact.put(type, c.match());
                    }
                    case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> {
                        if (c.match() != null) {
                            throw new InvalidRequestException(
                                    "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                        }
                        exact.put(type, null);
                    }
                    case DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED -> {
                        if (c.match() != null) {
                            throw new InvalidRequestException(
                                    "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                        }
                        typed.add(type);
                    }
                    default -> throw new InvalidRequestException("Unknown match type " + c.matchType());
                }
            }
            boolean ip = exact.containsKey(ClientQuotaEntity.IP) || typed.contains(ClientQuotaEntity.IP);
            if (ip && (exact.size() + typed.size() > 1)) {
                throw new InvalidRequestException("Invalid entity filter component combination. IP filter component"
                        + " should not be used with user or clientId filter component.");
            }
            return new Filter(exact, typed, request.strict());
        }

        boolean matches(ClientQuotaEntity entity) {
            Map<String, String> e = entity.entries();
            if (strict && e.size() != exact.size() + typed.size()) {
                return false;
            }
            for (Map.Entry<String, String> m : exact.entrySet()) {
                if (!e.containsKey(m.getKey()) || !Objects.equals(e.get(m.getKey()), m.getValue())) {
                    return false;
                }
            }
            return e.keySet().containsAll(typed);
        }

        /** The one entity this filter can match, when it names it completely; else null. */
        ClientQuotaEntity single() {
            return strict && typed.isEmpty() && !exact.isEmpty() && !exact.containsKey(ClientQuotaEntity.IP)
                    ? new ClientQuotaEntity(exact)
                    : null;
        }
    }

    private DescribeClientQuotasResponseData describeNow(Filter filter) {
        Map<ClientQuotaEntity, Map<String, Double>> found;
        ClientQuotaEntity single = filter.single();
        if (single != null) {
            Map<String, Double> quotas = store.describe(single);
            found = quotas.isEmpty() ? Map.of() : Map.of(single, quotas);
        } else {
            found = store.describeAll();
        }
        DescribeClientQuotasResponseData response = new DescribeClientQuotasResponseData();
        found.forEach((entity, quotas) -> {
            if (!filter.matches(entity)) {
                return;
            }
            DescribeClientQuotasResponseData.EntryData entry = new DescribeClientQuotasResponseData.EntryData();
            entity.entries()
                    .forEach((type, name) -> entry.entity()
                            .add(new DescribeClientQuotasResponseData.EntityData()
                                    .setEntityType(type)
                                    .setEntityName(name)));
            quotas.forEach((key, value) -> entry.values()
                    .add(new DescribeClientQuotasResponseData.ValueData()
                            .setKey(key)
                            .setValue(value)));
            response.entries().add(entry);
        });
        return response;
    }

    private AlterClientQuotasResponseData alterNow(AlterClientQuotasRequestData request) {
        AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
        Set<ClientQuotaEntity> seen = new HashSet<>();
        for (AlterClientQuotasRequestData.EntryData entry : request.entries()) {
            ApiError result;
            try {
                ClientQuotaEntity entity = entity(entry.entity());
                if (!seen.add(entity)) {
                    throw new InvalidRequestException("Ignoring duplicate entity " + entity);
                }
                Map<String, Double> changes = changes(entity, entry.ops());
                if (!request.validateOnly()) {
                    store.alter(entity, changes);
                }
                result = ApiError.NONE;
            } catch (InvalidRequestException e) {
                result = new ApiError(Errors.INVALID_REQUEST, e.getMessage());
            } catch (RuntimeException e) {
                log.error("Could not alter the client quotas of {}", entry.entity(), e);
                result = ApiError.fromThrowable(e);
            }
            List<AlterClientQuotasResponseData.EntityData> entity = new ArrayList<>();
            entry.entity()
                    .forEach(c -> entity.add(new AlterClientQuotasResponseData.EntityData()
                            .setEntityType(c.entityType())
                            .setEntityName(c.entityName())));
            response.entries()
                    .add(new AlterClientQuotasResponseData.EntryData()
                            .setErrorCode(result.error().code())
                            .setErrorMessage(result.message())
                            .setEntity(entity));
        }
        return response;
    }

    /** The entity of an alteration, checked as Kafka checks it. */
    private static ClientQuotaEntity entity(List<AlterClientQuotasRequestData.EntityData> components) {
        if (components.isEmpty()) {
            throw new InvalidRequestException("Invalid empty client quota entity");
        }
        Map<String, String> e = new LinkedHashMap<>();
        for (AlterClientQuotasRequestData.EntityData c : components) {
            String type = c.entityType();
            if (e.containsKey(type)) {
                throw new InvalidRequestException("Invalid client quota entity, duplicate entity entry " + type);
            }
            if (!type.equals(ClientQuotaEntity.USER)
                    && !type.equals(ClientQuotaEntity.CLIENT_ID)
                    && !type.equals(ClientQuotaEntity.IP)) {
                throw new InvalidRequestException("Unhandled client quota entity type: " + type);
            }
            if (c.entityName() != null && c.entityName().isEmpty()) {
                throw new InvalidRequestException("Empty " + type + " not supported");
            }
            e.put(type, c.entityName());
        }
        if (e.containsKey(ClientQuotaEntity.IP)) {
            if (e.size() > 1) {
                throw new InvalidRequestException(
                        "Invalid quota entity combination, IP entity should not be combined with User or ClientId");
            }
            throw new InvalidRequestException("IP quotas (connection_creation_rate) are not supported by this broker");
        }
        return new ClientQuotaEntity(e);
    }

    /** The changes of an alteration (a null value removes that quota), each checked as Kafka checks it. */
    private static Map<String, Double> changes(
            ClientQuotaEntity entity, List<AlterClientQuotasRequestData.OpData> ops) {
        Map<String, Double> changes = new HashMap<>();
        for (AlterClientQuotasRequestData.OpData op : ops) {
            String key = op.key();
            if (changes.containsKey(key)) {
                throw new InvalidRequestException(
                        "Duplicate quota key " + key + " not updating quota for this entity " + entity);
            }
            if (op.remove()) { // as in Kafka, removing any key is accepted (nothing there: nothing changes)
                changes.put(key, null);
                continue;
            }
            if (key.equals(CONTROLLER_MUTATION_RATE)) {
                throw new InvalidRequestException(
                        CONTROLLER_MUTATION_RATE + " quotas are not supported by this broker");
            }
            if (!LONG_KEYS.contains(key) && !DOUBLE_KEYS.contains(key)) {
                throw new InvalidRequestException("Invalid configuration key " + key);
            }
            double value = op.value();
            if (!(value > 0.0)) {
                throw new InvalidRequestException("Quota " + key + " must be greater than 0");
            }
            if (LONG_KEYS.contains(key)) {
                if (value > Long.MAX_VALUE) {
                    throw new InvalidRequestException("Proposed value for " + key + " is too large for a LONG.");
                }
                if (Math.abs(value % 1.0) > 1e-6) {
                    throw new InvalidRequestException(key + " cannot be a fractional value.");
                }
            }
            changes.put(key, value);
        }
        return changes;
    }
}
