package io.strand.server.security;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.internals.SecurityUtils;

/**
 * What makes an ACL binding storable and a filter usable, with Kafka's error messages (its {@code AclApis},
 * {@code AclAuthorizer} and {@code AclControlManager} together): every failure is an
 * {@link InvalidRequestException}, which clients see as INVALID_REQUEST.
 *
 * <p>Stateless; thread-safe.
 */
public final class AclValidation {
    private AclValidation() {}

    /** @throws InvalidRequestException naming what is wrong with {@code binding} as a new ACL */
    public static void validateNew(AclBinding binding) {
        ResourceType type = binding.pattern().resourceType();
        if (type == ResourceType.UNKNOWN || type == ResourceType.ANY) {
            throw new InvalidRequestException("Invalid resourceType " + type);
        }
        switch (binding.pattern().patternType()) {
            case LITERAL, PREFIXED -> {}
            default ->
                throw new InvalidRequestException(
                        "Invalid patternType " + binding.pattern().patternType());
        }
        switch (binding.entry().operation()) {
            case UNKNOWN, ANY ->
                throw new InvalidRequestException(
                        "Invalid operation " + binding.entry().operation());
            default -> {}
        }
        switch (binding.entry().permissionType()) {
            case ALLOW, DENY -> {}
            default ->
                throw new InvalidRequestException(
                        "Invalid permissionType " + binding.entry().permissionType());
        }
        String name = binding.pattern().name();
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("Invalid empty resource name");
        }
        if (type == ResourceType.CLUSTER && !Resource.CLUSTER_NAME.equals(name)) {
            throw new InvalidRequestException(
                    "The only valid name for the CLUSTER resource is " + Resource.CLUSTER_NAME);
        }
        // the name is a znode name: Kafka's ZooKeeper authorizer refused '/', and ZooKeeper refuses . and ..
        if (name.contains("/") || name.equals(".") || name.equals("..") || name.indexOf('\u0000') >= 0) {
            throw new InvalidRequestException("ACL binding contains invalid resource name: " + name);
        }
        String principal = binding.entry().principal();
        if (principal == null || principal.indexOf(':') < 0) {
            throw new InvalidRequestException("Could not parse principal from `" + principal + "` (no colon is present"
                    + " separating the principal type from the principal name)");
        }
        SecurityUtils.parseKafkaPrincipal(principal);
    }

    /** @throws InvalidRequestException if {@code filter} has an element this broker does not know */
    public static void validateFilter(AclBindingFilter filter) {
        if (filter.patternFilter().isUnknown()) {
            throw new InvalidRequestException("Unknown patternFilter.");
        }
        if (filter.entryFilter().isUnknown()) {
            throw new InvalidRequestException("Unknown entryFilter.");
        }
    }
}
