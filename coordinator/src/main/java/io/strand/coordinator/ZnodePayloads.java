package io.strand.coordinator;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.util.JsonFormat;
import io.strand.coordinator.proto.BrokerConfigOverrides;
import io.strand.coordinator.proto.BrokerRegistration;
import io.strand.coordinator.proto.ClusterId;
import io.strand.coordinator.proto.ControllerEpoch;
import io.strand.coordinator.proto.ControllerRegistration;
import io.strand.coordinator.proto.LogCleanerStatus;
import io.strand.coordinator.proto.PartitionState;
import io.strand.coordinator.proto.TopicAssignment;
import io.strand.coordinator.proto.TopicConfig;
import io.strand.coordinator.proto.TopicReassignment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which protobuf message each znode holds, so tools can show any znode decoded. The table here and
 * docs/znodes.md describe the same layout.
 */
public final class ZnodePayloads {
    private static final Map<Pattern, Parser<? extends Message>> BY_PATH = new LinkedHashMap<>();

    static {
        BY_PATH.put(Pattern.compile("/cluster/id"), ClusterId.parser());
        BY_PATH.put(Pattern.compile("/brokers/ids/[^/]+"), BrokerRegistration.parser());
        BY_PATH.put(Pattern.compile("/controller"), ControllerRegistration.parser());
        BY_PATH.put(Pattern.compile("/controller_epoch"), ControllerEpoch.parser());
        BY_PATH.put(Pattern.compile("/topics/[^/]+"), TopicAssignment.parser());
        BY_PATH.put(Pattern.compile("/topics/[^/]+/partitions/[^/]+/state"), PartitionState.parser());
        BY_PATH.put(Pattern.compile("/config/topics/[^/]+"), TopicConfig.parser());
        BY_PATH.put(Pattern.compile("/config/brokers/[^/]+"), BrokerConfigOverrides.parser());
        BY_PATH.put(Pattern.compile("/config/users/[^/]+"), io.strand.coordinator.proto.UserConfig.parser());
        BY_PATH.put(
                Pattern.compile("/config/(users/[^/]+/)?clients/[^/]+"),
                io.strand.coordinator.proto.ClientQuotaConfig.parser());
        BY_PATH.put(
                Pattern.compile("/config/changes/config_change_[0-9]+"),
                io.strand.coordinator.proto.ConfigChangeNotification.parser());
        BY_PATH.put(Pattern.compile("/admin/reassignments/[^/]+"), TopicReassignment.parser());
        BY_PATH.put(Pattern.compile("/producer_id_block"), io.strand.coordinator.proto.ProducerIdBlock.parser());
        BY_PATH.put(Pattern.compile("/log_cleaner/[^/]+"), LogCleanerStatus.parser());
        BY_PATH.put(Pattern.compile("/kafka-acl/[^/]+/[^/]+"), io.strand.coordinator.proto.ResourceAcls.parser());
        BY_PATH.put(
                Pattern.compile("/kafka-acl-extended/prefixed/[^/]+/[^/]+"),
                io.strand.coordinator.proto.ResourceAcls.parser());
        BY_PATH.put(
                Pattern.compile("/kafka-acl(-extended)?-changes/acl_changes_[0-9]+"),
                io.strand.coordinator.proto.AclChange.parser());
    }

    private ZnodePayloads() {}

    /** The parser for the payload at {@code path} (relative to the chroot), if Strand defines one. */
    public static Optional<Parser<? extends Message>> parserFor(String path) {
        for (Map.Entry<Pattern, Parser<? extends Message>> e : BY_PATH.entrySet()) {
            if (e.getKey().matcher(path).matches()) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /** The payload of {@code path} decoded, if Strand defines a message for it and the bytes parse. */
    public static Optional<Message> decode(String path, byte[] data) {
        Optional<Parser<? extends Message>> parser = parserFor(path);
        if (parser.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.get().parseFrom(data == null ? new byte[0] : data));
        } catch (InvalidProtocolBufferException e) {
            return Optional.empty();
        }
    }

    /**
     * A readable rendering: the decoded message as one-line JSON, "(empty)" for no bytes, or a
     * note naming the length for payloads Strand does not define or that do not decode.
     */
    public static String render(String path, byte[] data) {
        if ((data == null || data.length == 0) && parserFor(path).isEmpty()) {
            return "(empty)";
        }
        Optional<Message> m = decode(path, data == null ? new byte[0] : data);
        if (m.isEmpty()) {
            return parserFor(path).isPresent()
                    ? "(" + data.length + " bytes that do not decode as " + path + ")"
                    : "(" + data.length + " bytes)";
        }
        try {
            return JsonFormat.printer()
                    .omittingInsignificantWhitespace()
                    .alwaysPrintFieldsWithNoPresence()
                    .print(m.get());
        } catch (InvalidProtocolBufferException e) {
            return m.get().toString().replace('\n', ' ').trim();
        }
    }
}
