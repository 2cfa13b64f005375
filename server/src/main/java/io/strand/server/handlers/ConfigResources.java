package io.strand.server.handlers;

import io.strand.coordinator.Znodes;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;

/** The config resources Strand serves (topics and brokers) and the checks of their names. */
final class ConfigResources {
    private ConfigResources() {}

    /** A broker resource name as its znode entity: an id, or {@code <default>} for "". */
    static String brokerEntity(String name) {
        if (name == null || name.isEmpty()) {
            return Znodes.DEFAULT_BROKER_ENTITY;
        }
        try {
            int id = Integer.parseInt(name.trim());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return Integer.toString(id);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
    }

    /** Why Strand cannot serve a resource of this type, or empty for TOPIC and BROKER. */
    static Optional<ApiException> unsupported(byte type) {
        ConfigResource.Type t = ConfigResource.Type.forId(type);
        if (t == ConfigResource.Type.TOPIC || t == ConfigResource.Type.BROKER) {
            return Optional.empty();
        }
        return Optional.of(new InvalidRequestException(
                "Strand serves configs of TOPIC and BROKER resources, not " + t + " (resource type " + type + ")"));
    }
}
