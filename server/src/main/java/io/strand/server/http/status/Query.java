package io.strand.server.http.status;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The parameters of one request's query string, read with bounds; a bad one is a 400. Immutable. */
final class Query {
    private final Map<String, String> values;

    private Query(Map<String, String> values) {
        this.values = values;
    }

    static Query of(URI uri) {
        Map<String, String> values = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                values.putIfAbsent(name, value);
            }
        }
        return new Query(values);
    }

    static Query of(Map<String, String> values) {
        return new Query(Map.copyOf(values));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw StatusException.badRequest("bad query string encoding: " + e.getMessage());
        }
    }

    /** The value of {@code name}, required and not blank. */
    String required(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw StatusException.badRequest("missing parameter " + name);
        }
        return v;
    }

    String optional(String name, String otherwise) {
        String v = values.get(name);
        return v == null ? otherwise : v;
    }

    /** An int in [min, max]; {@code otherwise} when absent or empty. */
    int intIn(String name, int min, int max, int otherwise) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            return otherwise;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw StatusException.badRequest(name + " must be between " + min + " and " + max + ", not " + i);
            }
            return i;
        } catch (NumberFormatException e) {
            throw StatusException.badRequest(name + " must be a number, not '" + v + "'");
        }
    }
}
