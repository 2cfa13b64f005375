package io.strand.server.share;

/** The state of one in-flight record of a share partition, with Kafka's ids (persisted as delivery_state). */
public enum RecordState {
    AVAILABLE(0),
    ACQUIRED(1),
    ACKNOWLEDGED(2),
    ARCHIVED(4);

    public final byte id;

    RecordState(int id) {
        this.id = (byte) id;
    }

    /** Acknowledged or archived: nothing more happens to the record. */
    public boolean isTerminal() {
        return this == ACKNOWLEDGED || this == ARCHIVED;
    }

    public static RecordState forId(int id) {
        for (RecordState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown record state " + id);
    }
}
