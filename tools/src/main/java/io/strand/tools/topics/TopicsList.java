package io.strand.tools.topics;

import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.ConnectionFlags;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.OutputFlags;
import java.util.List;

/** {@code strand topics list}: topic names, one per line. */
final class TopicsList extends Command<TopicsList.Flags> {
    static final class Flags {
        @ParametersDelegate
        final ConnectionFlags cluster = new ConnectionFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();
    }

    TopicsList() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        List<String> names;
        try (TopicBackend backend = TopicBackend.open(flags.cluster)) {
            names = backend.list();
        }
        if (flags.output.json()) {
            io.println(Json.write(names));
        } else {
            names.forEach(io::println);
        }
        return 0;
    }
}
