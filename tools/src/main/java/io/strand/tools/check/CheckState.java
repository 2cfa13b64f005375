package io.strand.tools.check;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Failures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state file that joins the two halves of a split run ({@code --phase produce}, then {@code
 * --phase consume} later, perhaps after a maintenance or a fault): the run id, the topic, the
 * offsets each partition ended at before anything was written (where reading starts), how it wrote,
 * and per key the partition, the number of records sent and which were acknowledged or aborted
 * (bit sets, base64). JSON, written whole through a temporary file and a rename. Plain data, not
 * thread-safe.
 */
final class CheckState {
    static final int VERSION = 1;
    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** One key's record, as stored. */
    static final class StoredKey {
        int partition;
        int sent;
        String acknowledged;
        String aborted;
    }

    int version = VERSION;
    String run;
    String topic;
    int partitions;
    String acks;
    boolean transactional;
    int rate;
    long durationMs;
    Map<String, Long> startOffsets = new TreeMap<>();
    long sendFailures;
    Map<String, Long> sendFailureReasons = new TreeMap<>();
    Map<String, StoredKey> keys = new LinkedHashMap<>();

    /** Fills the per-key part from what the ledger knows of the writing. */
    CheckState written(DeliveryLedger ledger) {
        ledger.writtenCopy().forEach((key, k) -> {
            StoredKey s = new StoredKey();
            s.partition = k.partition;
            s.sent = k.sent;
            s.acknowledged = Base64.getEncoder().encodeToString(k.acknowledged.toByteArray());
            s.aborted = Base64.getEncoder().encodeToString(k.aborted.toByteArray());
            keys.put(key, s);
        });
        DeliveryLedger.Progress p = ledger.progress();
        sendFailures = p.sendFailures();
        sendFailureReasons = new TreeMap<>(ledger.failureReasons());
        return this;
    }

    /** Hands the writing side to {@code ledger}, which has read nothing yet. */
    void restoreInto(DeliveryLedger ledger) {
        Map<String, DeliveryLedger.KeyRecords> written = new LinkedHashMap<>();
        keys.forEach((key, s) -> {
            DeliveryLedger.KeyRecords k = new DeliveryLedger.KeyRecords();
            k.partition = s.partition;
            k.sent = s.sent;
            k.acknowledged.or(BitSet.valueOf(Base64.getDecoder().decode(s.acknowledged)));
            k.aborted.or(BitSet.valueOf(Base64.getDecoder().decode(s.aborted)));
            written.put(key, k);
        });
        ledger.restore(written, sendFailures, sendFailureReasons);
    }

    Map<Integer, Long> startOffsetsByPartition() {
        Map<Integer, Long> out = new TreeMap<>();
        startOffsets.forEach((p, o) -> out.put(Integer.valueOf(p), o));
        return out;
    }

    void save(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, GSON.toJson(this), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("--state-file " + file + ": cannot write it (" + Failures.describe(e) + ")", e);
        }
    }

    /**
     * @throws CliException if the file cannot be read or is not a state file of this version
     */
    static CheckState load(Path file) {
        CheckState state;
        try {
            state = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), CheckState.class);
        } catch (IOException | JsonParseException | IllegalArgumentException e) {
            throw new CliException("--state-file " + file + ": cannot read it (" + Failures.describe(e) + ")", e);
        }
        if (state == null || state.version != VERSION || state.run == null || state.topic == null) {
            throw new CliException("--state-file " + file + " is not a state file of strand check --phase produce"
                    + " (version " + VERSION + ")");
        }
        return state;
    }
}
