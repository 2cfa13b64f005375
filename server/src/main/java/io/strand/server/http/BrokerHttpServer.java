package io.strand.server.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's read-only HTTP listener ({@code metrics.http.listener}): the JDK's HTTP server on two
 * daemon threads, kept off the Kafka listeners' threads. Views register a handler per path with
 * {@link #route}; a request for a path nothing claims gets 404. Thread-safe.
 */
public final class BrokerHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerHttpServer.class);

    private final HttpServer server;
    private final ExecutorService threads;

    private BrokerHttpServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Binds {@code address} and starts serving; fails if the address cannot be bound. */
    public static BrokerHttpServer start(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 50);
        ExecutorService threads =
                Executors.newFixedThreadPool(2, ThreadUtils.createThreadFactory("strand-http-%d", true));
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(404, -1);
            }
        });
        server.start();
        log.info(
                "HTTP listener on http://{}:{}/",
                server.getAddress().getHostString(),
                server.getAddress().getPort());
        return new BrokerHttpServer(server, threads);
    }

    /** Serves {@code path} and everything below it with {@code handler} (the longest registered prefix wins). */
    public void route(String path, HttpHandler handler) {
        if ("/".equals(path)) {
            server.removeContext("/");
        }
        server.createContext(path, handler);
    }

    /** The address bound (the real port when 0 was configured). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
