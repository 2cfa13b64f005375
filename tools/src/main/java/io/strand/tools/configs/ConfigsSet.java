package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerFlags;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConfigOverrides;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.NoSplitter;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/** {@code strand configs set}: sets config overrides of a topic, a broker or the broker default. */
final class ConfigsSet extends Command<ConfigsSet.Flags> {
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
                description = "A config to set, NAME=VALUE; repeat the flag for more")
        List<String> configs = new ArrayList<>();
    }

    ConfigsSet() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        ConfigResource resource = flags.entity.resource();
        if (flags.configs.isEmpty()) {
            throw new UsageException("missing required flag --config");
        }
        Map<String, String> configs = ConfigOverrides.parse(flags.configs);
        ConfigsAlter.apply(flags.cluster, resource, configs, List.of(), "setting configs of");
        if (flags.output.json()) {
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
