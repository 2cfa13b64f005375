package io.strand.server.security;

import io.strand.server.AuthorizerSettingsDefinition;
import io.strand.server.BrokerConfig;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.internals.SecurityUtils;

/**
 * The authorizer settings a broker runs with ({@code authorizer.class.name}, {@code super.users},
 * {@code allow.everyone.if.no.acl.found}; Kafka's names, defined in {@link AuthorizerSettingsDefinition}).
 * Immutable.
 *
 * @param enabled whether {@code authorizer.class.name} names an authorizer (else every request is allowed)
 * @param superUsers principals allowed everything
 * @param allowEveryoneIfNoAclFound whether a resource without any ACL is open to everyone
 */
public record AuthorizerConfig(boolean enabled, Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAclFound) {
    public AuthorizerConfig {
        superUsers = Set.copyOf(superUsers);
    }

    /** Reads the three settings (all of them, even without an authorizer: every setting is read). */
    public static AuthorizerConfig from(BrokerConfig c) {
        String className = c.getString(AuthorizerSettingsDefinition.AUTHORIZER_CLASS_NAME);
        String superUsers = c.getString(AuthorizerSettingsDefinition.SUPER_USERS);
        boolean allowEveryone = c.getBoolean(AuthorizerSettingsDefinition.ALLOW_EVERYONE_IF_NO_ACL_FOUND);
        return new AuthorizerConfig(
                className != null && !className.isBlank(), parseSuperUsers(superUsers), allowEveryone);
    }

    /** {@code super.users}: principals separated by ';' (each {@code <type>:<name>}). */
    public static Set<KafkaPrincipal> parseSuperUsers(String value) {
        return AuthorizerSettingsDefinition.splitSuperUsers(value == null ? "" : value).stream()
                .map(SecurityUtils::parseKafkaPrincipal)
                .collect(Collectors.toUnmodifiableSet());
    }
}
