package io.strand.tools.configs;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.NoSplitter;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;

/** {@code strand configs delete}: removes config overrides, so the default applies again. */
final class ConfigsDelete extends Command<ConfigsDelete.Flags> {
    static final class Flags {
        @ParametersDelegate
        final ConfigsFlags target = new ConfigsFlags();

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
        ConfigResource resource = flags.target.entity.resource();
        List<String> names = new ArrayList<>(new LinkedHashSet<>(ConfigsAlter.required(flags.configs)));
        for (String n : names) {
            if (n.contains("=")) {
                throw new UsageException("--config " + n + ": give only the NAME of the override to remove");
            }
        }
        ConfigsAlter.apply(flags.target, resource, Map.of(), names, "removing configs of");
        ConfigsAlter.printDone(
                io, flags.target, resource, "deleted", names, "Removed " + String.join(", ", names) + " from");
        return 0;
    }
}
