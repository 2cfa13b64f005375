package io.strand.tools.check;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The value of one record {@code strand check} writes, as text: {@code
 * strand-check|RUN|KEY|SEQ|SENT_MS|PADDING}. RUN tells this run's records from any others in the
 * topic; KEY is also the record key; SEQ counts the key's records from 0 in send order; SENT_MS is
 * the wall-clock time of the send, for the end-to-end latency; PADDING ('.'s) brings the value up to
 * the requested size. Immutable.
 */
record CheckValue(String run, String key, int seq, long sentMs) {
    private static final String MAGIC = "strand-check";

    /** The value's bytes, padded to at least {@code size} bytes. */
    byte[] encode(int size) {
        StringBuilder sb = new StringBuilder(Math.max(size, 48));
        sb.append(MAGIC)
                .append('|')
                .append(run)
                .append('|')
                .append(key)
                .append('|')
                .append(seq)
                .append('|')
                .append(sentMs)
                .append('|');
        while (sb.length() < size) {
            sb.append('.');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The value a record carries, or empty when it is not a {@code strand check} value. */
    static Optional<CheckValue> decode(byte[] value) {
        if (value == null || value.length < MAGIC.length() + 8) {
            return Optional.empty();
        }
        String[] parts = new String(value, StandardCharsets.UTF_8).split("\\|", 6);
        if (parts.length < 6 || !parts[0].equals(MAGIC)) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new CheckValue(parts[1], parts[2], Integer.parseInt(parts[3]), Long.parseLong(parts[4])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
