package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.RequestContext;
import java.net.InetSocketAddress;

/** What the group API handlers share. Stateless. */
final class GroupHandlers {
    private GroupHandlers() {}

    /** The client as Kafka shows it in DescribeGroups: client id and "/ip". */
    static GroupCoordinator.Client client(RequestContext ctx) {
        InetSocketAddress a = ctx.remoteAddress();
        String host =
                a == null ? "" : "/" + (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString());
        return new GroupCoordinator.Client(ctx.clientId(), host);
    }
}
