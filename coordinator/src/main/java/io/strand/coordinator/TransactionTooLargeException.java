package io.strand.coordinator;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.jute.BinaryOutputArchive;

/**
 * A ZooKeeper {@code multi} too large to send: ZooKeeper closes the connection of a request larger than
 * {@code jute.maxbuffer} (1 MiB less a byte by default, on servers and clients), which loses the request and
 * disconnects the session, so {@link MetadataStore#multi} refuses such a transaction before sending it. A topic of
 * several thousand partitions is one (its creation writes two znodes per partition in one multi).
 */
public final class TransactionTooLargeException extends MetadataStoreException {
    /** ZooKeeper's default {@code jute.maxbuffer}. */
    static final int DEFAULT_MAX_BYTES = 0xfffff;
    /** Room left for the request header and the framing around the operations. */
    private static final int HEADER_BYTES = 1024;

    private final long bytes;
    private final long maxBytes;

    TransactionTooLargeException(int operations, long bytes, long maxBytes) {
        super("a ZooKeeper transaction of " + operations + " operations (about " + bytes
                + " bytes) is larger than jute.maxbuffer (" + maxBytes + " bytes)");
        this.bytes = bytes;
        this.maxBytes = maxBytes;
    }

    /** About the bytes the transaction took. */
    public long bytes() {
        return bytes;
    }

    /** The largest ZooKeeper request. */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * How many of {@code items}, each about the same size (partitions), fit in one transaction: in proportion to the
     * limit, less a tenth for what the transaction holds besides them.
     */
    public int fitting(int items) {
        return (int) Math.max(1, items * maxBytes / bytes * 9 / 10);
    }

    /** Throws if {@code ops} as one multi request would be larger than {@code jute.maxbuffer}. */
    static void check(List<CuratorOp> ops) {
        long max = Integer.getInteger("jute.maxbuffer", DEFAULT_MAX_BYTES);
        long bytes = requestBytes(ops);
        if (bytes > max) throw new TransactionTooLargeException(ops.size(), bytes, max);
    }

    /** The multi request's size: each operation's record, its 9-byte multi header, and a margin for the rest. */
    static long requestBytes(List<CuratorOp> ops) {
        BinaryOutputArchive out = BinaryOutputArchive.getArchive(OutputStream.nullOutputStream());
        try {
            for (CuratorOp op : ops) {
                out.writeRecord(op.get().toRequestRecord(), "op");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: writing to a null stream", e);
        }
        return out.getDataSize() + 9L * ops.size() + HEADER_BYTES;
    }
}
