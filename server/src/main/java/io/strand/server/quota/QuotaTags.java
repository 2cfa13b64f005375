package io.strand.server.quota;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whose usage one quota sensor measures, as Kafka tags it: the user (sanitized as Kafka's {@code
 * Sanitizer} does) and the client id, each empty when the quota that applies does not distinguish
 * it (a user quota is shared by all the user's client ids, a client-id quota by all users). Immutable.
 */
public record QuotaTags(String user, String clientId) {
    /** Kafka's metric tags, in Kafka's order: {@code user}, {@code client-id}. */
    public Map<String, String> asMetricTags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("user", user);
        tags.put("client-id", clientId);
        return tags;
    }
}
