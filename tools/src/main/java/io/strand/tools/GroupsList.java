package io.strand.tools;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.common.GroupState;

/** {@code strand groups list}: every consumer group with its state, optionally only those in given states. */
final class GroupsList implements Command {
    static final String NAME = "groups list";
    static final String DESCRIPTION = "List consumer groups and their states";

    static final class Flags {
        @ParametersDelegate
        final CommonFlags common = new CommonFlags();

        @ParametersDelegate
        final BrokerFlags broker = new BrokerFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(
                names = "--state",
                description = "Only groups in this state (Empty, PreparingRebalance, "
                        + "CompletingRebalance, Stable, Dead); may be repeated")
        List<String> states = new ArrayList<>();
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
        Set<GroupState> states = new TreeSet<>();
        for (String s : flags.states) {
            GroupState parsed = GroupState.parse(s.trim());
            if (parsed == GroupState.UNKNOWN) {
                throw new UsageException(
                        "--state " + s + " is not a group state; states are Empty, PreparingRebalance, "
                                + "CompletingRebalance, Stable, Dead");
            }
            states.add(parsed);
        }
        Collection<GroupListing> groups;
        try (Admin admin = flags.broker.openAdmin()) {
            ListGroupsOptions options = ListGroupsOptions.forConsumerGroups();
            if (!states.isEmpty()) {
                options.inGroupStates(states);
            }
            groups = GroupsAdmin.await(admin.listGroups(options).all(), flags.broker.timeoutMs, "listing groups");
        }
        List<GroupListing> sorted = groups.stream()
                .sorted((a, b) -> a.groupId().compareTo(b.groupId()))
                .toList();
        if (flags.output.json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (GroupListing g : sorted) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("group", g.groupId());
                m.put("state", g.groupState().map(GroupState::toString).orElse(null));
                m.put("protocolType", g.protocol());
                out.add(m);
            }
            io.println(Json.write(out));
        } else {
            Table t = new Table("GROUP", "STATE", "PROTOCOL-TYPE");
            sorted.forEach(g -> t.row(
                    g.groupId(),
                    g.groupState().map(GroupState::toString).orElse(""),
                    g.protocol().isEmpty() ? "(standalone)" : g.protocol()));
            t.print(io, "");
        }
        return 0;
    }
}
