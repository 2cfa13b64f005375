package io.strand.server.quota;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.utils.internals.Sanitizer;

/**
 * A snapshot of every configured client quota, and Kafka's rules for which one applies to a
 * connection (the most specific wins):
 *
 * <ol>
 *   <li>{@code /config/users/<user>/clients/<client-id>}
 *   <li>{@code /config/users/<user>/clients/<default>}
 *   <li>{@code /config/users/<user>}
 *   <li>{@code /config/users/<default>/clients/<client-id>}
 *   <li>{@code /config/users/<default>/clients/<default>}
 *   <li>{@code /config/users/<default>}
 *   <li>{@code /config/clients/<client-id>}
 *   <li>{@code /config/clients/<default>}
 * </ol>
 *
 * <p>The level that applies also decides whose usage is measured together ({@link #tags}): a user
 * quota counts all the user's client ids as one, a client-id quota all users of the client id. As
 * in Kafka, when quotas of one type exist at a single level the tags follow that level without a
 * lookup. Immutable.
 */
public final class QuotaOverrides {
    public static final QuotaOverrides NONE = new QuotaOverrides(Map.of());

    /** One part of an entity: a named user (sanitized) or client id, or the default (no name). */
    private record Name(String value) {
        static final Name DEFAULT = new Name(null);
    }

    /** An entity as a lookup key: a missing part is {@code null}. */
    private record Key(Name user, Name clientId) {}

    private static final int CLIENT_LEVEL = 1;
    private static final int USER_LEVEL = 2;
    private static final int USER_CLIENT_LEVEL = 4;

    private final Map<ClientQuotaEntity, Map<String, Double>> entities;
    private final Map<QuotaType, Map<Key, Double>> limits = new EnumMap<>(QuotaType.class);
    private final Map<QuotaType, Integer> levels = new EnumMap<>(QuotaType.class);

    private QuotaOverrides(Map<ClientQuotaEntity, Map<String, Double>> entities) {
        this.entities = Map.copyOf(entities);
        for (QuotaType t : QuotaType.values()) {
            limits.put(t, new HashMap<>());
            levels.put(t, 0);
        }
        entities.forEach((entity, quotas) -> {
            Key key = key(entity);
            for (QuotaType t : QuotaType.values()) {
                Double limit = quotas.get(t.configKey());
                if (limit != null) {
                    limits.get(t).put(key, limit);
                    int level =
                            key.user() == null ? CLIENT_LEVEL : key.clientId() == null ? USER_LEVEL : USER_CLIENT_LEVEL;
                    levels.merge(t, level, (a, b) -> a | b);
                }
            }
        });
    }

    /** The quotas of {@code entities}: each a user, a client id or both (a {@code null} name: the default). */
    public static QuotaOverrides of(Map<ClientQuotaEntity, Map<String, Double>> entities) {
        return new QuotaOverrides(entities);
    }

    /** Every entity with its quotas. */
    public Map<ClientQuotaEntity, Map<String, Double>> entities() {
        return entities;
    }

    /** This snapshot with {@code entity}'s quotas replaced by {@code quotas} (empty: it has none any more). */
    public QuotaOverrides with(ClientQuotaEntity entity, Map<String, Double> quotas) {
        Map<ClientQuotaEntity, Map<String, Double>> next = new LinkedHashMap<>(entities);
        if (quotas.isEmpty()) {
            next.remove(entity);
        } else {
            next.put(entity, Map.copyOf(quotas));
        }
        return new QuotaOverrides(next);
    }

    private static Key key(ClientQuotaEntity entity) {
        Map<String, String> e = entity.entries();
        Name user = null;
        Name clientId = null;
        if (e.containsKey(ClientQuotaEntity.USER)) {
            String u = e.get(ClientQuotaEntity.USER);
            user = u == null ? Name.DEFAULT : new Name(Sanitizer.sanitize(u));
        }
        if (e.containsKey(ClientQuotaEntity.CLIENT_ID)) {
            String c = e.get(ClientQuotaEntity.CLIENT_ID);
            clientId = c == null ? Name.DEFAULT : new Name(c);
        }
        return new Key(user, clientId);
    }

    /** Whether any quota of type {@code t} is configured (without one nothing is measured). */
    public boolean enabled(QuotaType t) {
        return levels.get(t) != 0;
    }

    /** Whose usage a request of {@code sanitizedUser} with {@code clientId} counts towards, for quotas of {@code t}. */
    public QuotaTags tags(QuotaType t, String sanitizedUser, String clientId) {
        int level = levels.get(t);
        if (level == 0 || level == CLIENT_LEVEL) {
            return new QuotaTags("", clientId);
        } else if (level == USER_LEVEL) {
            return new QuotaTags(sanitizedUser, "");
        } else if (level == USER_CLIENT_LEVEL) {
            return new QuotaTags(sanitizedUser, clientId);
        }
        Map<Key, Double> m = limits.get(t);
        Name user = new Name(sanitizedUser);
        Name client = new Name(clientId);
        if (m.containsKey(new Key(user, client)) || m.containsKey(new Key(user, Name.DEFAULT))) {
            return new QuotaTags(sanitizedUser, clientId);
        } else if (m.containsKey(new Key(user, null))) {
            return new QuotaTags(sanitizedUser, "");
        } else if (m.containsKey(new Key(Name.DEFAULT, client)) || m.containsKey(new Key(Name.DEFAULT, Name.DEFAULT))) {
            return new QuotaTags(sanitizedUser, clientId);
        } else if (m.containsKey(new Key(Name.DEFAULT, null))) {
            return new QuotaTags(sanitizedUser, "");
        }
        return new QuotaTags("", clientId);
    }

    /** The quota of type {@code t} of the usage tagged {@code tags}; {@code null} when none applies. */
    public Double limit(QuotaType t, QuotaTags tags) {
        Map<Key, Double> m = limits.get(t);
        boolean hasUser = !tags.user().isEmpty();
        boolean hasClient = !tags.clientId().isEmpty();
        Name user = new Name(tags.user());
        Name client = new Name(tags.clientId());
        if (hasUser && hasClient) {
            return first(
                    m,
                    new Key(user, client),
                    new Key(user, Name.DEFAULT),
                    new Key(Name.DEFAULT, client),
                    new Key(Name.DEFAULT, Name.DEFAULT));
        } else if (hasUser) {
            return first(m, new Key(user, null), new Key(Name.DEFAULT, null));
        } else if (hasClient) {
            return first(m, new Key(null, client), new Key(null, Name.DEFAULT));
        }
        return null;
    }

    private static Double first(Map<Key, Double> m, Key... keys) {
        for (Key k : keys) {
            Double v = m.get(k);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
