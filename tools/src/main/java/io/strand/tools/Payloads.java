package io.strand.tools;

import io.strand.coordinator.ZnodePayloads;

/** A znode payload as the tools print it: decoded JSON where Strand defines the payload. */
final class Payloads {
    private Payloads() {
    }

    /** One-line text for tables and watch lines. */
    static String text(String path, byte[] data) {
        return ZnodePayloads.render(path, data);
    }

    /** For JSON output: the decoded payload as JSON, or the note of {@link ZnodePayloads#render} as a string. */
    static Object json(String path, byte[] data) {
        String rendered = ZnodePayloads.render(path, data);
        return rendered.startsWith("{") ? new Json.Raw(rendered) : rendered;
    }
}
