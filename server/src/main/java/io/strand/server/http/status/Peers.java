package io.strand.server.http.status;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.proto.BrokerRegistration;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks the other brokers' status pages for what only they know ({@code /api/local/...}): at the HTTP endpoint in
 * their registration, with a 1 s connect and 2 s answer timeout. A broker that is not live, has no HTTP listener
 * or does not answer gives an {@link Answer} carrying the reason instead of a value, never an exception.
 * Thread-safe.
 */
final class Peers {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(2);

    /** A peer's answer, or why there is none. */
    record Answer<T>(T value, String error) {
        static <T> Answer<T> of(T value) {
            return new Answer<>(value, null);
        }

        static <T> Answer<T> failed(String error) {
            return new Answer<>(null, error);
        }

        boolean ok() {
            return error == null;
        }
    }

    private final MetadataCache cache;
    private final Gson gson;
    private final HttpClient client;

    Peers(MetadataCache cache, Gson gson) {
        this.cache = cache;
        this.gson = gson;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The status page of broker {@code brokerId} as its registration gives it ("" if it has none or is not live). */
    String endpoint(int brokerId) {
        return cache.broker(brokerId).map(BrokerRegistration::getHttpEndpoint).orElse("");
    }

    /** GETs {@code path} with {@code params} (URL-encoded here) from broker {@code brokerId} as a {@code type}. */
    <T> CompletableFuture<Answer<T>> get(int brokerId, String path, Map<String, String> params, Class<T> type) {
        if (!cache.isLive(brokerId)) {
            return CompletableFuture.completedFuture(Answer.failed("broker " + brokerId + " is not live"));
        }
        String endpoint = endpoint(brokerId);
        if (endpoint.isEmpty()) {
            return CompletableFuture.completedFuture(
                    Answer.failed("broker " + brokerId + " has no HTTP listener (metrics.http.listener)"));
        }
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> query.add(encode(k) + "=" + encode(v)));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(endpoint + path + query))
                    .timeout(ANSWER_TIMEOUT)
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(
                    Answer.failed("broker " + brokerId + " registered a bad HTTP endpoint " + endpoint));
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, failure) -> {
                    if (failure != null) {
                        return Answer.failed(unreachable(brokerId, endpoint, failure));
                    }
                    if (response.statusCode() != 200) {
                        return Answer.failed("broker " + brokerId + " answered " + response.statusCode() + ": "
                                + errorOf(response.body()));
                    }
                    try {
                        return Answer.of(gson.fromJson(response.body(), type));
                    } catch (JsonParseException e) {
                        return Answer.failed("broker " + brokerId + " answered what this broker cannot read: " + e);
                    }
                });
    }

    private static String unreachable(int brokerId, String endpoint, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpTimeoutException) {
            return "broker " + brokerId + " did not answer at " + endpoint + " within " + ANSWER_TIMEOUT.toSeconds()
                    + " s";
        }
        if (cause instanceof ConnectException) {
            return "broker " + brokerId + " is unreachable at " + endpoint;
        }
        return "broker " + brokerId + " at " + endpoint + ": " + cause;
    }

    private String errorOf(String body) {
        try {
            Map<?, ?> m = gson.fromJson(body, Map.class);
            Object e = m == null ? null : m.get("error");
            return e == null ? body : e.toString();
        } catch (JsonParseException e) {
            return body.length() > 200 ? body.substring(0, 200) : body;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
