package io.strand.tools.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of a repeatable {@code --config NAME=VALUE} flag ({@code topics create|alter}, {@code
 * configs set}). Each command declares the flag itself, since its help text differs. Stateless.
 */
public final class ConfigOverrides {
    private ConfigOverrides() {}

    /** NAME=VALUE strings as an ordered map; a value without '=' or a name given twice is a usage error. */
    public static Map<String, String> parse(List<String> configs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String c : configs) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--config " + c + ": expected NAME=VALUE, e.g. retention.ms=86400000");
            }
            String name = c.substring(0, eq).trim();
            if (out.put(name, c.substring(eq + 1).trim()) != null) {
                throw new UsageException("--config " + name + " is given twice");
            }
        }
        return out;
    }
}
