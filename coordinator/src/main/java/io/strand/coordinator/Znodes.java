package io.strand.coordinator;

import org.apache.kafka.common.TopicPartition;

/**
 * Every znode path Strand uses, relative to the chroot of {@code zookeeper.connect}. docs/znodes.md
 * lists the payload and the writer of each.
 */
public final class Znodes {
    public static final String CLUSTER_ID = "/cluster/id";
    public static final String BROKER_IDS = "/brokers/ids";
    public static final String CONTROLLER = "/controller";
    public static final String CONTROLLER_EPOCH = "/controller_epoch";
    public static final String TOPICS = "/topics";
    public static final String CONFIG_TOPICS = "/config/topics";
    public static final String CONFIG_BROKERS = "/config/brokers";
    /** SCRAM credentials and client quotas per user ({@code UserConfig}), as Kafka's ZooKeeper mode keeps them. */
    public static final String CONFIG_USERS = "/config/users";
    /** Client quotas per client id ({@code ClientQuotaConfig}), Kafka's {@code /config/clients/<client-id>}. */
    public static final String CONFIG_CLIENTS = "/config/clients";
    /** The entity type of client ids in a notification's entity path ({@code clients/<id>}, {@code users/<u>/clients/<id>}). */
    public static final String CLIENTS_ENTITY_TYPE = "clients";
    /** The name of the default user or client id in a quota path, as in Kafka ({@code /config/users/<default>}). */
    public static final String DEFAULT_QUOTA_ENTITY = "<default>";
    /** Config change notifications ({@code ConfigChangeNotification}), Kafka's {@code config_change_<seq>}. */
    public static final String CONFIG_CHANGES = "/config/changes";
    /** The prefix of a sequential notification under {@link #CONFIG_CHANGES}. */
    public static final String CONFIG_CHANGE_PREFIX = CONFIG_CHANGES + "/config_change_";
    /** The entity type of users in a notification's entity path ({@code users/<sanitized name>}). */
    public static final String USERS_ENTITY_TYPE = "users";
    /** The entity name of the cluster-wide default under {@link #CONFIG_BROKERS}, as in Kafka. */
    public static final String DEFAULT_BROKER_ENTITY = "<default>";

    public static final String ADMIN_REASSIGNMENTS = "/admin/reassignments";
    public static final String ADMIN_DELETE_TOPICS = "/admin/delete_topics";
    public static final String PRODUCER_ID_BLOCK = "/producer_id_block";
    /** Parent of each broker's ephemeral log cleaner status ({@link #logCleaner}). */
    public static final String LOG_CLEANER = "/log_cleaner";

    /** ACLs of LITERAL resource patterns: {@code /kafka-acl/<ResourceType>/<name>} (Kafka's path). */
    public static final String KAFKA_ACL = "/kafka-acl";
    /** ACLs of PREFIXED resource patterns: {@code /kafka-acl-extended/prefixed/<ResourceType>/<name>}. */
    public static final String KAFKA_ACL_EXTENDED_PREFIXED = "/kafka-acl-extended/prefixed";
    /** Change notifications of LITERAL patterns: sequential {@code acl_changes_<seq>} children. */
    public static final String KAFKA_ACL_CHANGES = "/kafka-acl-changes";
    /** Change notifications of PREFIXED patterns: sequential {@code acl_changes_<seq>} children. */
    public static final String KAFKA_ACL_EXTENDED_CHANGES = "/kafka-acl-extended-changes";
    /** The name prefix of an ACL change notification; ZooKeeper appends the sequence number. */
    public static final String ACL_CHANGE_PREFIX = "acl_changes_";

    /** Parents created (if absent) by every broker at start, so that creates below them need no parent logic. */
    public static final String[] PERSISTENT_PARENTS = {
        "/cluster",
        BROKER_IDS,
        TOPICS,
        CONFIG_TOPICS,
        CONFIG_BROKERS,
        CONFIG_USERS,
        CONFIG_CHANGES,
        ADMIN_REASSIGNMENTS,
        ADMIN_DELETE_TOPICS,
        LOG_CLEANER,
        CONFIG_CLIENTS
    };

    private Znodes() {}

    public static String broker(int brokerId) {
        return BROKER_IDS + "/" + brokerId;
    }

    /** Broker {@code brokerId}'s log cleaner status (ephemeral, {@code LogCleanerStatus}). */
    public static String logCleaner(int brokerId) {
        return LOG_CLEANER + "/" + brokerId;
    }

    public static String topic(String topic) {
        return TOPICS + "/" + topic;
    }

    public static String partitions(String topic) {
        return topic(topic) + "/partitions";
    }

    public static String partition(String topic, int partition) {
        return partitions(topic) + "/" + partition;
    }

    public static String partitionState(String topic, int partition) {
        return partition(topic, partition) + "/state";
    }

    public static String partitionState(TopicPartition tp) {
        return partitionState(tp.topic(), tp.partition());
    }

    public static String topicConfig(String topic) {
        return CONFIG_TOPICS + "/" + topic;
    }

    /** Dynamic config of broker {@code entity}: a broker id, or {@link #DEFAULT_BROKER_ENTITY}. */
    public static String brokerConfig(String entity) {
        return CONFIG_BROKERS + "/" + entity;
    }

    /**
     * The znode of one resource pattern's ACLs: {@code aclRoot} is {@link #KAFKA_ACL} or
     * {@link #KAFKA_ACL_EXTENDED_PREFIXED}, {@code resourceType} Kafka's name (Topic, Group, ...).
     */
    public static String acls(String aclRoot, String resourceType, String name) {
        return aclRoot + "/" + resourceType + "/" + name;
    }

    /**
     * The SCRAM credentials of {@code user}: its name sanitized as Kafka's ZooKeeper mode does
     * ({@code Sanitizer.sanitize}: URL-encoded, so any user name makes one znode).
     */
    public static String userConfig(String user) {
        return CONFIG_USERS + "/" + org.apache.kafka.common.utils.internals.Sanitizer.sanitize(user);
    }

    /** The client quotas of a client id, its name already sanitized ({@code <default>} as it is). */
    public static String clientQuotaConfig(String sanitizedClientId) {
        return CONFIG_CLIENTS + "/" + sanitizedClientId;
    }

    /** The parent of a user's client-id quotas: {@code /config/users/<sanitized user>/clients}. */
    public static String userClientsConfig(String sanitizedUser) {
        return CONFIG_USERS + "/" + sanitizedUser + "/" + CLIENTS_ENTITY_TYPE;
    }

    public static String reassignment(String topic) {
        return ADMIN_REASSIGNMENTS + "/" + topic;
    }

    public static String deleteTopicMarker(String topic) {
        return ADMIN_DELETE_TOPICS + "/" + topic;
    }
}
