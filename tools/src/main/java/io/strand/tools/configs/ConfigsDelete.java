package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerFlags;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.NoSplitter;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/** {@code strand configs delete}: removes config overrides, so the default applies again. */
final class ConfigsDelete extends Command<ConfigsDelete.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerFlags cluster = new BrokerFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @ParametersDelegate
        final ConfigEntityFlags entity = new ConfigEntityFlags();

        @Parameter(
                names = "--config",
                required = true,
                splitter = NoSplitter.class,
                description = "The NAME of a config override to remove; repeat the flag for more")
        List<String> configs = new ArrayList<>();
    }

    ConfigsDelete() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        ConfigResource resource = flags.entity.resource();
        if (flags.configs.isEmpty()) {
            throw new UsageException("missing required flag --config");
        }
        List<String> names = new ArrayList<>(new LinkedHashSet<>(flags.configs));
        for (String n : names) {
            if (n.contains("=")) {
                throw new UsageException("--config " + n + ": give only the NAME of the override to remove");
            }
        }
        ConfigsAlter.apply(flags.cluster, resource, Map.of(), names, "removing configs of");
        if (flags.output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("resource", ConfigEntityFlags.describe(resource));
            json.put("deleted", names);
            io.println(Json.write(json));
        } else {
            io.println("Removed " + String.join(", ", names) + " from " + ConfigEntityFlags.describe(resource) + ".");
        }
        return 0;
    }
}
