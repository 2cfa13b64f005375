package io.strand.server.http;

import io.strand.server.BrokerConfig;
import io.strand.server.HttpSettingsDefinition;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/** Parses {@code metrics.http.listener} ({@code http://host:port}, or empty for none). Stateless. */
public final class HttpListenerAddress {
    private HttpListenerAddress() {}

    public static Optional<InetSocketAddress> from(BrokerConfig config) {
        return parse(config.getString(HttpSettingsDefinition.METRICS_HTTP_LISTENER));
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code value} */
    public static Optional<InetSocketAddress> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("expected http://host:port, " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("expected http://host:port (only http is served)");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("expected http://host:port with both a host and a port");
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath())) {
            throw new IllegalArgumentException("expected http://host:port without a path");
        }
        return Optional.of(new InetSocketAddress(uri.getHost(), uri.getPort()));
    }
}
