package io.strand.server.http.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the peek shows bytes: printable UTF-8 as text, anything else as hex, long ones cut with their size kept. */
class ShownTest {
    @Test
    void shouldShowPrintableUtf8AsTextAndTheRestAsHex() {
        assertEquals(new Shown("<b>x</b>\tλ\n", null, 12, false), Shown.of(utf8("<b>x</b>\tλ\n"), 100));
        assertEquals(new Shown(null, "6100ff", 3, false), Shown.of(ByteBuffer.wrap(new byte[] {'a', 0, -1}), 100));
        assertEquals(new Shown(null, "1b5b306d", 4, false), Shown.of(utf8("\u001b[0m"), 100)); // a terminal escape
        assertEquals(new Shown("", null, 0, false), Shown.of(ByteBuffer.allocate(0), 100));
        assertNull(Shown.of(null, 100));
    }

    @Test
    void shouldCutLongBytesKeepingTheirSizeAndWholeCharacters() {
        // "aλλ" is 5 bytes; cut at 4 splits the second λ, which is dropped rather than shown as hex
        assertEquals(new Shown("aλ", null, 5, true), Shown.of(utf8("aλλ"), 4));
        byte[] binary = new byte[Shown.HEX_LIMIT * 2];
        Shown hex = Shown.of(ByteBuffer.wrap(binary), Shown.TEXT_LIMIT);
        assertEquals(new Shown(null, "00".repeat(Shown.HEX_LIMIT), binary.length, true), hex);
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
