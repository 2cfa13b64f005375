package io.strand.server.handlers;

import io.strand.coordinator.Znodes;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.util.Optional;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;

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

    /**
     * Why the principal may not perform {@code op} (DESCRIBE_CONFIGS or ALTER_CONFIGS) on a config
     * resource, as Kafka authorizes it: broker, broker-logger and client-metrics resources on the
     * cluster (CLUSTER_AUTHORIZATION_FAILED), a topic on itself (TOPIC_AUTHORIZATION_FAILED), a group
     * on itself (GROUP_AUTHORIZATION_FAILED); NONE when allowed or for a type Kafka has no rule for.
     */
    static Errors refusal(RequestAuthorization auth, RequestContext ctx, AclOperation op, byte type, String name) {
        ResourceType on = switch (ConfigResource.Type.forId(type)) {
            case BROKER, BROKER_LOGGER, CLIENT_METRICS -> ResourceType.CLUSTER;
            case TOPIC -> ResourceType.TOPIC;
            case GROUP -> ResourceType.GROUP;
            default -> null;
        };
        if (on == null) {
            return Errors.NONE;
        }
        String resource = on == ResourceType.CLUSTER ? Resource.CLUSTER_NAME : name;
        return auth.allowed(ctx, op, on, resource) ? Errors.NONE : RequestAuthorization.errorFor(on);
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
