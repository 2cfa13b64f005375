package io.strand.server.http.status;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Bytes of a record (key, value, header value) as the page shows them: as text when they are UTF-8 without
 * control characters (tab and line breaks allowed), else as hex; cut at a limit, with the full size. The page
 * puts either into the document as text, never as markup. Immutable.
 *
 * @param text the bytes as text, or null when shown as hex
 * @param hex the bytes in hex, or null when shown as text
 * @param size the full size in bytes
 * @param truncated true when only the first bytes are shown
 */
record Shown(String text, String hex, int size, boolean truncated) {
    static final int TEXT_LIMIT = 2048;
    static final int HEX_LIMIT = 512;

    /** null for null bytes (a null key or value is not an empty one). */
    static Shown of(ByteBuffer bytes, int textLimit) {
        if (bytes == null) {
            return null;
        }
        int size = bytes.remaining();
        byte[] head = new byte[Math.min(size, textLimit)];
        bytes.duplicate().get(head);
        String text = text(head, head.length < size);
        if (text != null) {
            return new Shown(text, null, size, head.length < size);
        }
        int hexLength = Math.min(head.length, Math.min(HEX_LIMIT, textLimit));
        return new Shown(null, HexFormat.of().formatHex(head, 0, hexLength), size, hexLength < size);
    }

    /** The bytes as text, or null if they are not printable UTF-8 (a cut may split one last character). */
    private static String text(byte[] bytes, boolean cut) {
        for (int drop = 0; drop <= (cut ? 3 : 0) && drop <= bytes.length; drop++) {
            CharsetDecoder decoder = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, bytes.length - drop));
                return printable(chars) ? chars.toString() : null;
            } catch (CharacterCodingException e) {
                // try without the last bytes of a cut character
            }
        }
        return null;
    }

    private static boolean printable(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return true;
    }
}
