package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConfigOverrides;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.NoSplitter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/** {@code strand configs set}: sets config overrides of a topic, a broker or the broker default. */
final class ConfigsSet extends Command<ConfigsSet.Flags> {
    static final class Flags {
        @ParametersDelegate
        final ConfigsFlags target = new ConfigsFlags();

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
        ConfigResource resource = flags.target.entity.resource();
        Map<String, String> configs = ConfigOverrides.parse(ConfigsAlter.required(flags.configs));
        ConfigsAlter.apply(flags.target, resource, configs, List.of(), "setting configs of");
        List<String> pairs = new ArrayList<>();
        configs.forEach((k, v) -> pairs.add(k + "=" + v));
        ConfigsAlter.printDone(io, flags.target, resource, "set", configs, "Set " + String.join(", ", pairs) + " on");
        return 0;
    }
}
