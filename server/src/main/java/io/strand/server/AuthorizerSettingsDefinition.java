package io.strand.server;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.internals.SecurityUtils;

/**
 * The broker settings of the ACL authorizer, with Kafka's names and defaults; part of
 * {@link BrokerConfigDefinition#DEFINITION}. Read through {@link io.strand.server.security.AuthorizerConfig#from}.
 * A class name other than the ones below, or a super user that is not {@code <type>:<name>}, stops the broker
 * with a message naming the key. Immutable.
 */
public final class AuthorizerSettingsDefinition {
    private AuthorizerSettingsDefinition() {}

    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";

    /** Strand's ZooKeeper authorizer, and the Kafka authorizers it stands in for. */
    public static final String STRAND_AUTHORIZER = "io.strand.server.security.ZkAclAuthorizer";

    public static final List<String> ZOOKEEPER_AUTHORIZER_NAMES = List.of(
            STRAND_AUTHORIZER,
            "kafka.security.authorizer.AclAuthorizer",
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer");

    static ConfigDef addTo(ConfigDef def) {
        return def.define(
                        AUTHORIZER_CLASS_NAME,
                        Type.STRING,
                        "",
                        new AuthorizerName(),
                        Importance.HIGH,
                        "The authorizer that checks every request against the ACLs stored in ZooKeeper. Empty: no"
                                + " authorizer, every request is allowed and the ACL APIs answer SECURITY_DISABLED."
                                + " " + STRAND_AUTHORIZER + ", kafka.security.authorizer.AclAuthorizer and"
                                + " org.apache.kafka.metadata.authorizer.StandardAuthorizer all mean Strand's"
                                + " ZooKeeper authorizer (Kafka's semantics).")
                .define(
                        SUPER_USERS,
                        Type.STRING,
                        "",
                        new Principals(),
                        Importance.HIGH,
                        "Semicolon-separated principals (e.g. User:admin;User:broker) that the authorizer allows"
                                + " every operation on every resource, whatever the ACLs say.")
                .define(
                        ALLOW_EVERYONE_IF_NO_ACL_FOUND,
                        Type.BOOLEAN,
                        false,
                        Importance.HIGH,
                        "With an authorizer: whether an operation on a resource that has no ACL at all (no literal,"
                                + " wildcard or matching prefixed pattern of its type) is allowed to everyone. False:"
                                + " only super users and ACLs allow anything.");
    }

    /** Empty, or one of {@link #ZOOKEEPER_AUTHORIZER_NAMES}. */
    private static final class AuthorizerName implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String v = value == null ? "" : value.toString().trim();
            if (!v.isEmpty() && !ZOOKEEPER_AUTHORIZER_NAMES.contains(v)) {
                throw new ConfigException(
                        name,
                        value,
                        "Strand's authorizer is the only one: leave it empty (no authorizer, every request allowed)"
                                + " or name one of " + ZOOKEEPER_AUTHORIZER_NAMES);
            }
        }

        @Override
        public String toString() {
            return "empty or one of " + String.join(", ", ZOOKEEPER_AUTHORIZER_NAMES);
        }
    }

    /** Semicolon-separated principals, each {@code <type>:<name>}. */
    private static final class Principals implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            for (String p : splitSuperUsers(value == null ? "" : value.toString())) {
                try {
                    SecurityUtils.parseKafkaPrincipal(p);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, "'" + p + "' is not a principal of the form <type>:<name>");
                }
            }
        }

        @Override
        public String toString() {
            return "principals <type>:<name> separated by ;";
        }
    }

    /** The entries of a super.users value: split on ';', trimmed, empty ones dropped. */
    public static List<String> splitSuperUsers(String value) {
        return java.util.Arrays.stream(value.split(";"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
