package io.strand.server.network;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A region of a log segment sent with zero copy ({@code sendfile} on epoll and NIO). Unlike its
 * parent it does not close the file channel when released: the segment owns the channel.
 */
final class SegmentFileRegion extends DefaultFileRegion {
    SegmentFileRegion(FileChannel segment, long position, long count) {
        super(segment, position, count);
    }

    @Override
    protected void deallocate() {
        // the log segment owns the channel; nothing to release here
    }
}
