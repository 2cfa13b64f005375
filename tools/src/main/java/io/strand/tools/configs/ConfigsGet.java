package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Failures;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
        final ConfigsFlags target = new ConfigsFlags();

        @Parameter(names = "--all", description = "Show every config, not only the overrides")
        boolean all;
    }

    ConfigsGet() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        ConfigResource resource = flags.target.entity.resource();
        Config config;
        try (KafkaAdmin admin = flags.target.common.openAdmin()) {
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
        if (flags.target.common.json()) {
            io.println(Json.write(entries.stream()
                    .map(e -> Json.object(
                            "name", e.name(),
                            "value", e.isSensitive() ? null : e.value(),
                            "source", e.source().name(),
                            "readOnly", e.isReadOnly()))
                    .toList()));
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
