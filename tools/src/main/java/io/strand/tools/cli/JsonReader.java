package io.strand.tools.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON files the tools take (reassignment plans in Kafka's format) with Gson, as plain
 * values: objects become {@code Map<String, Object>} in document order, arrays {@code List<Object>},
 * integral numbers {@code Long}, other numbers {@code Double}. A syntax error is an
 * {@link IllegalArgumentException} naming the position. Stateless.
 */
public final class JsonReader {
    private JsonReader() {}

    public static Object parse(String text) {
        try {
            return plain(JsonParser.parseString(text));
        } catch (JsonParseException e) {
            Throwable root = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("not valid JSON: " + root.getMessage(), e);
        }
    }

    private static Object plain(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            e.getAsJsonObject().entrySet().forEach(en -> out.put(en.getKey(), plain(en.getValue())));
            return out;
        }
        if (e.isJsonArray()) {
            List<Object> out = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> out.add(plain(x)));
            return out;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            String n = p.getAsString();
            return n.contains(".") || n.contains("e") || n.contains("E")
                    ? (Object) p.getAsDouble()
                    : (Object) p.getAsLong();
        }
        return p.getAsString();
    }
}
