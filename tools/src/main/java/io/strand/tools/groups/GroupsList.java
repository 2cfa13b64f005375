package io.strand.tools.groups;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerOutputFlags;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.common.GroupState;

/** {@code strand groups list}: every consumer group with its state, optionally only those in given states. */
final class GroupsList extends Command<GroupsList.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(
                names = "--state",
                description = "Only groups in this state (Empty, PreparingRebalance, "
                        + "CompletingRebalance, Stable, Dead); may be repeated")
        List<String> states = new ArrayList<>();
    }

    GroupsList() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        Set<GroupState> states = new TreeSet<>();
        for (String s : flags.states) {
            GroupState parsed = GroupState.parse(s.trim());
            if (parsed == GroupState.UNKNOWN) {
                throw new UsageException(
                        "--state " + s + " is not a group state; states are Empty, PreparingRebalance, "
                                + "CompletingRebalance, Assigning, Reconciling, Stable, Dead");
            }
            states.add(parsed);
        }
        Collection<GroupListing> groups;
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            ListGroupsOptions options = new ListGroupsOptions(); // every type: classic, consumer, share
            if (!states.isEmpty()) {
                options.inGroupStates(states);
            }
            groups = admin.awaitOrFail(admin.admin().listGroups(options).all(), "listing groups");
        }
        List<GroupListing> sorted = groups.stream()
                .sorted((a, b) -> a.groupId().compareTo(b.groupId()))
                .toList();
        flags.common.print(
                io,
                () -> sorted.stream()
                        .map(g -> Json.object(
                                "group", g.groupId(),
                                "type", g.type().map(GroupsList::typeName).orElse(null),
                                "state",
                                        g.groupState().map(GroupState::toString).orElse(null),
                                "protocolType", g.protocol()))
                        .toList(),
                () -> {
                    Table t = new Table("GROUP", "TYPE", "STATE", "PROTOCOL-TYPE");
                    sorted.forEach(g -> t.row(
                            g.groupId(),
                            g.type().map(GroupsList::typeName).orElse(""),
                            g.groupState().map(GroupState::toString).orElse(""),
                            g.protocol().isEmpty() ? "(standalone)" : g.protocol()));
                    t.print(io, "");
                });
        return 0;
    }

    /** The group type as ListGroups names it: classic, consumer, share. */
    private static String typeName(org.apache.kafka.common.GroupType t) {
        return t.toString().toLowerCase(java.util.Locale.ROOT);
    }
}
