package io.strand.server.handlers;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.TopicView;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Finds the topic a request names: by id where the API version carries topic ids (Produce v13+,
 * Fetch v13+), by name before that.
 */
final class TopicResolver {
    private final MetadataCache cache;

    TopicResolver(MetadataCache cache) {
        this.cache = cache;
    }

    Optional<TopicView> resolve(String name, Uuid topicId, boolean byId) {
        if (byId) {
            return topicId == null || Uuid.ZERO_UUID.equals(topicId) ? Optional.empty() : cache.topic(topicId);
        }
        return name == null ? Optional.empty() : cache.topic(name);
    }

    /** The name to authorize: the one named, or by id the topic's (null for an unknown id). */
    String name(String name, Uuid topicId, boolean byId) {
        return byId ? resolve(name, topicId, true).map(TopicView::name).orElse(null) : name;
    }
}
