package io.strand.tools.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonSerializer;

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

    private static JsonElement parseRaw(String json) {
        return JsonParser.parseString(json);
    }
}
