package io.strand.tools.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonSerializer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the tools' JSON output with Gson: maps (in their iteration order), collections, strings,
 * numbers, booleans, null, and {@link Raw} text that already is JSON (decoded znode payloads).
 * Thread-safe (Gson is).
 */
public final class Json {
    /** Text that is already JSON and is written unchanged. */
    public record Raw(String json) {}

    private static final Gson GSON = new GsonBuilder()
            .serializeNulls()
            .disableHtmlEscaping()
            .registerTypeAdapter(Raw.class, (JsonSerializer<Raw>) (raw, type, ctx) -> parseRaw(raw.json()))
            .create();

    private Json() {}

    public static String write(Object value) {
        return GSON.toJson(value);
    }

    /**
     * A JSON object with the given fields in the given order: {@code object("topic", name,
     * "deleted", true)}. Values may be null.
     *
     * @param namesAndValues name, value, name, value, ...; every name a String
     */
    public static Map<String, Object> object(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected names and values in pairs, got " + namesAndValues.length);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return out;
    }

    private static JsonElement parseRaw(String json) {
        return JsonParser.parseString(json);
    }
}
