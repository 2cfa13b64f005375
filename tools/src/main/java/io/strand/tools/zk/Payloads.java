package io.strand.tools.zk;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.util.JsonFormat;
import io.strand.coordinator.ZnodePayloads;
import io.strand.tools.cli.Json;
import java.util.Optional;

/**
 * A znode payload as the tools print it: decoded to one-line JSON where Strand defines the payload,
 * otherwise the note of {@link ZnodePayloads#render}.
 *
 * <p>Unlike {@code ZnodePayloads.render}, which prints {@code {}} for zero bytes, an empty payload
 * of a known kind is shown with its default values: a protobuf message whose fields are all
 * default (e.g. {@code ControllerEpoch{epoch: 0}}, a {@code TopicConfig} without overrides)
 * serialises to zero bytes, and {@code {"epoch":0}} says more than {@code {}}. Stateless.
 */
final class Payloads {
    private Payloads() {}

    /** One-line text for tables and watch lines. */
    static String text(String path, byte[] data) {
        if (data == null || data.length == 0) {
            Optional<Parser<? extends Message>> parser = ZnodePayloads.parserFor(path);
            if (parser.isPresent()) {
                try {
                    return JsonFormat.printer()
                            .omittingInsignificantWhitespace()
                            .alwaysPrintFieldsWithNoPresence()
                            .print(parser.get().parseFrom(new byte[0]));
                } catch (InvalidProtocolBufferException e) {
                    return "{}";
                }
            }
        }
        return ZnodePayloads.render(path, data);
    }

    /** For JSON output: the decoded payload as JSON, or the note of {@link ZnodePayloads#render} as a string. */
    static Object json(String path, byte[] data) {
        String rendered = text(path, data);
        return rendered.startsWith("{") ? new Json.Raw(rendered) : rendered;
    }
}
