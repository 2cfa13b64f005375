package io.strand.tools.topics;

import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import java.util.List;

/** {@code strand topics list}: topic names, one per line. */
final class TopicsList extends Command<TopicsList.Flags> {
    static final class Flags {
        @ParametersDelegate
        final TopicsFlags common = new TopicsFlags();
    }

    TopicsList() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        List<String> names;
        try (TopicBackend backend = flags.common.open()) {
            names = backend.list();
        }
        flags.common.print(io, () -> names, () -> names.forEach(io::println));
        return 0;
    }
}
