package io.strand.server;

import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Prints the broker configuration reference (docs/configuration.md's table) from the definitions
 * the broker validates with, so the page and the code cannot drift apart:
 * {@code java -cp ... io.strand.server.ConfigDocs}.
 */
public final class ConfigDocs {
    private ConfigDocs() {}

    public static void main(String[] args) {
        System.out.print(table());
    }

    public static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | type | default | valid values | importance | description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        ConfigDef def = BrokerConfig.definition();
        for (String name : new TreeSet<>(def.names())) {
            ConfigDef.ConfigKey k = def.configKeys().get(name);
            String dflt = k.defaultValue == ConfigDef.NO_DEFAULT_VALUE
                    ? "(required)"
                    : k.defaultValue == null ? "" : ConfigDef.convertToString(k.defaultValue, k.type);
            sb.append("| `")
                    .append(name)
                    .append("` | ")
                    .append(k.type.name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | ")
                    .append(dflt.isEmpty() ? "" : "`" + dflt + "`")
                    .append(" | ")
                    .append(k.validator == null ? "" : k.validator.toString().replace("|", "\\|"))
                    .append(" | ")
                    .append(k.importance.name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | ")
                    .append(k.documentation.replace("|", "\\|").replace("\n", " "))
                    .append(" |\n");
        }
        sb.append("\nAccepted so that an existing Kafka `server.properties` starts, without effect in Strand: ");
        List<String> ignored = new TreeSet<>(BrokerConfigDefinition.ACCEPTED_WITHOUT_EFFECT)
                .stream().map(s -> "`" + s + "`").toList();
        sb.append(String.join(", ", ignored)).append(".\n");
        return sb.toString();
    }
}
