package io.strand.tools;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/** {@code strand configs delete}: removes config overrides, so the default applies again. */
final class ConfigsDelete implements Command {
    static final String NAME = "configs delete";
    static final String DESCRIPTION = "Remove config overrides of a topic or broker";

    static final class Flags {
        @ParametersDelegate
        final CommonFlags common = new CommonFlags();

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

    private final Flags flags = new Flags();

    @Override
    public Object flags() {
        return flags;
    }

    @Override
    public CommonFlags common() {
        return flags.common;
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
        ConfigsAlter.apply(flags.cluster, resource, ConfigsAlter.deletes(names), "removing configs of");
        if (flags.output.json) {
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
