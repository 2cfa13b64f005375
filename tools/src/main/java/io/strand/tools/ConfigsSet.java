package io.strand.tools;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/** {@code strand configs set}: sets config overrides of a topic, a broker or the broker default. */
final class ConfigsSet implements Command {
    static final String NAME = "configs set";
    static final String DESCRIPTION = "Set config overrides of a topic or broker";

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
                description = "A config to set, NAME=VALUE; repeat the flag for more")
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
        Map<String, String> configs = TopicsCreate.parseConfigs(flags.configs);
        ConfigsAlter.apply(flags.cluster, resource, ConfigsAlter.sets(configs), "setting configs of");
        if (flags.output.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("resource", ConfigEntityFlags.describe(resource));
            json.put("set", configs);
            io.println(Json.write(json));
        } else {
            List<String> pairs = new ArrayList<>();
            configs.forEach((k, v) -> pairs.add(k + "=" + v));
            io.println("Set " + String.join(", ", pairs) + " on " + ConfigEntityFlags.describe(resource) + ".");
        }
        return 0;
    }
}
