package io.strand.tools;

import com.beust.jcommander.ParametersDelegate;
import java.util.List;

/** {@code strand topics list}: topic names, one per line. */
final class TopicsList implements Command {
    static final String NAME = "topics list";
    static final String DESCRIPTION = "List topic names";

    static final class Flags {
        @ParametersDelegate
        final CommonFlags common = new CommonFlags();

        @ParametersDelegate
        final ClusterFlags cluster = new ClusterFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();
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
        List<String> names;
        try (TopicBackend backend = flags.cluster.openTopics()) {
            names = backend.list();
        }
        if (flags.output.json) {
            io.println(Json.write(names));
        } else {
            names.forEach(io::println);
        }
        return 0;
    }
}
