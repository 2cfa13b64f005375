package io.strand.server.network;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Who a connection authenticated as, kept on its Netty channel: set once by the listener's security
 * handlers (the TLS client certificate's principal after the handshake; SASL after authentication),
 * read by {@link RequestChannel} into every request's {@link RequestContext}. {@link
 * KafkaPrincipal#ANONYMOUS} until set. Thread-safe (a channel attribute).
 */
public final class ConnectionPrincipal {
    private static final AttributeKey<KafkaPrincipal> KEY = AttributeKey.valueOf("strand.principal");

    private ConnectionPrincipal() {}

    public static void set(Channel channel, KafkaPrincipal principal) {
        channel.attr(KEY).set(principal);
    }

    public static KafkaPrincipal of(Channel channel) {
        KafkaPrincipal p = channel.attr(KEY).get();
        return p == null ? KafkaPrincipal.ANONYMOUS : p;
    }
}
