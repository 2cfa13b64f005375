package io.strand.server.http.status;

import com.google.gson.Gson;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON endpoints under {@code /api/}: one {@link Endpoint} per exact path, answered as JSON when its future
 * completes, errors as {@code {"error": "..."}} with their status. The answer is written on the status page's own
 * threads ({@code responder}), never on the thread that completed the future (a group coordinator's shard, the
 * HTTP client's), so a slow browser cannot hold up anything else. Thread-safe.
 */
final class ApiRoutes implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

    /** One JSON endpoint: its answer (a record or collection Gson writes) for the request's query. */
    @FunctionalInterface
    interface Endpoint {
        CompletableFuture<?> answer(Query query);
    }

    private record Error(String error) {}

    private final Gson gson;
    private final Executor responder;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    ApiRoutes(Gson gson, Executor responder) {
        this.gson = gson;
        this.responder = responder;
    }

    ApiRoutes add(String path, Endpoint endpoint) {
        endpoints.put(path, endpoint);
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) {
        if (!Responses.readOnly(exchange)) {
            return;
        }
        Endpoint endpoint = endpoints.get(exchange.getRequestURI().getPath());
        if (endpoint == null) {
            send(
                    exchange,
                    404,
                    new Error("no such endpoint: " + exchange.getRequestURI().getPath()));
            return;
        }
        CompletableFuture<?> answer;
        try {
            answer = endpoint.answer(Query.of(exchange.getRequestURI()));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenCompleteAsync((value, failure) -> respond(exchange, value, failure), responder);
    }

    private void respond(HttpExchange exchange, Object value, Throwable failure) {
        if (failure == null) {
            send(exchange, 200, value);
            return;
        }
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof StatusException s) {
            send(exchange, s.status(), new Error(s.getMessage()));
        } else {
            log.warn("status page: {} failed", exchange.getRequestURI(), cause);
            send(exchange, 500, new Error(String.valueOf(cause)));
        }
    }

    private void send(HttpExchange exchange, int status, Object value) {
        String json;
        try {
            json = gson.toJson(value);
        } catch (RuntimeException e) {
            log.warn("status page: cannot write the answer to {}", exchange.getRequestURI(), e);
            status = 500;
            json = gson.toJson(new Error(e.toString()));
        }
        Responses.send(exchange, status, "application/json; charset=utf-8", json);
    }
}
