package io.strand.server.handlers;

import io.strand.server.group.GroupCoordinator;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclOperation;

/** What the group API handlers share. Stateless. */
final class GroupHandlers {
    private GroupHandlers() {}

    /** The client as Kafka shows it in DescribeGroups: client id and "/ip". */
    static GroupCoordinator.Client client(RequestContext ctx) {
        InetSocketAddress a = ctx.remoteAddress();
        String host =
                a == null ? "" : "/" + (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString());
        return new GroupCoordinator.Client(ctx.clientId(), host, ctx);
    }

    /** Why a described group that names a topic the principal may not see is not described. */
    static final String HIDDEN_TOPICS =
            "The group has described topic(s) that the client is not authorized to describe.";

    /**
     * The described groups as ConsumerGroupDescribe and ShareGroupDescribe answer them, as Kafka: with
     * an authorizer, a group whose members' assignments name a topic the principal may not DESCRIBE is
     * replaced by {@code hidden(group)} (TOPIC_AUTHORIZATION_FAILED, {@link #HIDDEN_TOPICS}, no members);
     * the topics of all groups are decided in one call.
     */
    static <G> List<G> withoutHiddenTopics(
            RequestAuthorization auth,
            RequestContext ctx,
            List<G> described,
            Function<G, Stream<String>> topicsOf,
            UnaryOperator<G> hidden) {
        if (!auth.enabled()) {
            return described;
        }
        List<String> topics = described.stream().flatMap(topicsOf).distinct().toList();
        Predicate<String> describable = auth.allowedTopics(ctx, AclOperation.DESCRIBE, topics, name -> name);
        List<G> out = new ArrayList<>(described.size());
        for (G g : described) {
            out.add(topicsOf.apply(g).allMatch(describable) ? g : hidden.apply(g));
        }
        return out;
    }

    /**
     * Whether the principal may DESCRIBE every topic a heartbeat subscribes to by name (null or empty:
     * nothing to check): a member may not learn of topics it may not see, as Kafka checks.
     */
    static boolean mayDescribeAll(RequestAuthorization auth, RequestContext ctx, List<String> topics) {
        if (topics == null || topics.isEmpty()) {
            return true;
        }
        return topics.stream().allMatch(auth.allowedTopics(ctx, AclOperation.DESCRIBE, topics, name -> name));
    }
}
