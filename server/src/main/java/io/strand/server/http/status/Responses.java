package io.strand.server.http.status;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the status page's responses: never cached, never sniffed as another content type. Stateless; any
 * thread may complete an exchange once (the JDK server lets a response be written after its handler returned).
 */
final class Responses {
    private static final Logger log = LoggerFactory.getLogger(Responses.class);

    private Responses() {}

    static void send(HttpExchange exchange, int status, String contentType, String body) {
        send(exchange, status, contentType, body, null);
    }

    /** @param contentSecurityPolicy the page's CSP header, or null for none (JSON) */
    static void send(HttpExchange exchange, int status, String contentType, String body, String contentSecurityPolicy) {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            if (contentSecurityPolicy != null) {
                exchange.getResponseHeaders().set("Content-Security-Policy", contentSecurityPolicy);
                exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
            }
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : (bytes.length == 0 ? -1 : bytes.length));
            if (!head && bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            log.debug("status page: could not answer {}: {}", exchange.getRequestURI(), e.toString());
        }
    }

    /** Only GET and HEAD are served (the page changes nothing); answers 405 and returns false otherwise. */
    static boolean readOnly(HttpExchange exchange) {
        String m = exchange.getRequestMethod();
        if ("GET".equals(m) || "HEAD".equals(m)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "read-only: GET and HEAD only\n");
        return false;
    }
}
