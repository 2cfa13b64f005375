package io.strand.server.http.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

/**
 * The status page's HTML: {@code /} (cluster, brokers, topics, groups, latency), {@code /topic?name=},
 * {@code /peek?topic=&partition=} and {@code /group?id=}, each the same small shell with the stylesheet and script
 * inline (nothing is fetched from elsewhere). The shell holds no data: the script fetches the JSON and builds the
 * page with DOM calls, so no value from the cluster is ever parsed as markup. The Content-Security-Policy allows
 * exactly that inline script and stylesheet (by hash) and requests to this broker only. Immutable.
 */
final class Pages implements HttpHandler {
    private static final Map<String, String> VIEWS =
            Map.of("/", "overview", "/topic", "topic", "/peek", "peek", "/group", "group");

    private final int brokerId;
    private final String css = resource("status.css");
    private final String js = resource("status.js");
    private final String contentSecurityPolicy = "default-src 'none'; connect-src 'self'; img-src 'self'; style-src '"
            + sha256(css) + "'; script-src '" + sha256(js) + "'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    Pages(int brokerId) {
        this.brokerId = brokerId;
    }

    @Override
    public void handle(HttpExchange exchange) {
        if (!Responses.readOnly(exchange)) {
            return;
        }
        String view = VIEWS.get(exchange.getRequestURI().getPath());
        Responses.send(
                exchange,
                view == null ? 404 : 200,
                "text/html; charset=utf-8",
                html(view == null ? "missing" : view),
                contentSecurityPolicy);
    }

    /** The shell of {@code view}; only fixed names and this broker's id go into it. */
    String html(String view) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Strand</title><style>" + css + "</style></head>\n"
                + "<body data-view=\"" + view + "\" data-broker=\"" + brokerId + "\">"
                + "<header class=\"top\"><a href=\"/\">Strand</a><span class=\"crumbs\" id=\"crumbs\"></span>"
                + "<span class=\"refresh\" id=\"refresh\">loading\u2026</span></header><main id=\"main\"></main>"
                + "<noscript>This page needs JavaScript; the same data is JSON under /api/.</noscript>"
                + "<script>" + js + "</script></body></html>\n";
    }

    private static String resource(String name) {
        try (InputStream in = Pages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + Pages.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
