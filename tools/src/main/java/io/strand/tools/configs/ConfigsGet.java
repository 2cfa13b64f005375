package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerFlags;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@code strand configs get}: the config overrides of a topic, a broker or the broker default
 * (DescribeConfigs); with --all every config with its value, source and whether it can be changed.
 */
final class ConfigsGet extends Command<ConfigsGet.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerFlags cluster = new BrokerFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @ParametersDelegate
        final ConfigEntityFlags entity = new ConfigEntityFlags();

        @Parameter(names = "--all", description = "Show every config, not only the overrides")
        boolean all;
    }

    ConfigsGet() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        ConfigResource resource = flags.entity.resource();
        Config config;
        try (KafkaAdmin admin = KafkaAdmin.open(flags.cluster)) {
            config = admin.await(
                    admin.admin().describeConfigs(List.of(resource)).values().get(resource),
                    "describing the configs of " + ConfigEntityFlags.describe(resource));
        } catch (UnknownTopicOrPartitionException e) {
            throw new CliException(Failures.unknownTopic(resource.name(), ""), e);
        } catch (ApiException e) {
            throw new CliException(
                    "cannot read the configs of " + ConfigEntityFlags.describe(resource) + ": " + Failures.describe(e),
                    e);
        }
        List<ConfigEntry> entries = new ArrayList<>(config.entries());
        entries.sort(Comparator.comparing(ConfigEntry::name));
        if (!flags.all) {
            entries.removeIf(e -> !isOverride(e));
        }
        if (flags.output.json()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ConfigEntry e : entries) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", e.name());
                m.put("value", e.isSensitive() ? null : e.value());
                m.put("source", e.source().name());
                m.put("readOnly", e.isReadOnly());
                out.add(m);
            }
            io.println(Json.write(out));
            return 0;
        }
        if (entries.isEmpty()) {
            io.println("No config overrides for " + ConfigEntityFlags.describe(resource)
                    + (flags.all ? "." : " (--all shows every config)."));
            return 0;
        }
        Table table =
                flags.all ? new Table("NAME", "VALUE", "SOURCE", "READ_ONLY") : new Table("NAME", "VALUE", "SOURCE");
        for (ConfigEntry e : entries) {
            String value = e.isSensitive() ? "(sensitive)" : e.value() == null ? "null" : e.value();
            if (flags.all) {
                table.row(e.name(), value, e.source().name(), e.isReadOnly() ? "yes" : "no");
            } else {
                table.row(e.name(), value, e.source().name());
            }
        }
        table.print(io, "");
        return 0;
    }

    static boolean isOverride(ConfigEntry e) {
        return switch (e.source()) {
            case DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG -> true;
            default -> false;
        };
    }
}
