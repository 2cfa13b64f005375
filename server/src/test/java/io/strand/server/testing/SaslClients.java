package io.strand.server.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * Kafka client settings for SASL_PLAINTEXT listeners (PLAIN or SCRAM with a username and password),
 * and the JAAS configs a test broker takes, in Kafka's format. Stateless.
 */
public final class SaslClients {
    public static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    public static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";

    private SaslClients() {}

    /** Client settings: SASL_PLAINTEXT with {@code mechanism} as {@code user}. */
    public static Map<String, Object> settings(String mechanism, String user, String password) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        p.put(
                SaslConfigs.SASL_JAAS_CONFIG,
                (mechanism.equals("PLAIN") ? PLAIN_MODULE : SCRAM_MODULE) + " required username=\"" + user
                        + "\" password=\"" + password + "\";");
        return p;
    }

    /** An Admin client on {@code bootstrapServers} with {@code settings}. */
    public static Admin admin(String bootstrapServers, Map<String, Object> settings) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.putAll(settings);
        return Admin.create(p);
    }
}
