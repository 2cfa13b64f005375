package io.strand.server.network;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A region of a log segment sent with zero copy ({@code sendfile} on epoll and NIO). Unlike its
 * parent it does not close the file channel when released: the segment owns the channel. On TLS
 * connections {@link FileRegionCopier} reads it in {@link #chunks} instead.
 */
final class SegmentFileRegion extends DefaultFileRegion {
    private final FileChannel segment;

    SegmentFileRegion(FileChannel segment, long position, long count) {
        super(segment, position, count);
        this.segment = segment;
    }

    /** The same bytes as chunks to copy (for connections that cannot send a file as it is). */
    SegmentChunks chunks(int chunkSize) {
        return new SegmentChunks(segment, position(), count(), chunkSize);
    }

    @Override
    protected void deallocate() {
        // the log segment owns the channel; nothing to release here
    }
}
