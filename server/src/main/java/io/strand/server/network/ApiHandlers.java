package io.strand.server.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers a broker serves, one per API; what ApiVersions advertises. Immutable after construction. */
public final class ApiHandlers {
    private final Map<ApiKeys, ApiHandler<?>> byKey = new EnumMap<>(ApiKeys.class);

    public ApiHandlers(Collection<ApiHandler<?>> handlers) {
        for (ApiHandler<?> h : handlers) {
            if (byKey.put(h.apiKey(), h) != null) {
                throw new IllegalArgumentException("two handlers for " + h.apiKey());
            }
        }
    }

    /** These handlers, each wrapped by {@code decorator}. */
    public ApiHandlers decorate(HandlerDecorator decorator) {
        List<ApiHandler<?>> wrapped = new ArrayList<>();
        for (ApiHandler<?> h : byKey.values()) {
            ApiHandler<?> w = decorator.decorate(h);
            if (w.apiKey() != h.apiKey()
                    || w.oldestVersion() != h.oldestVersion()
                    || w.latestVersion() != h.latestVersion()) {
                throw new IllegalArgumentException(
                        "a decorated " + h.apiKey() + " handler must keep its key and versions");
            }
            wrapped.add(w);
        }
        return new ApiHandlers(wrapped);
    }

    public Optional<ApiHandler<?>> get(ApiKeys key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Collection<ApiHandler<?>> all() {
        return byKey.values();
    }
}
