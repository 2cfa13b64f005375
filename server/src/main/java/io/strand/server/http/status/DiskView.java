package io.strand.server.http.status;

import io.strand.wal.LogDirState;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /api/local/disk}: this broker's log directories, each with its state and the free and total bytes of its
 * file system, measured now. Only the broker itself knows them; {@link ClusterView} asks every other broker for
 * theirs. Thread-safe (reads only).
 */
final class DiskView {
    /** One log directory; {@code usableBytes} and {@code totalBytes} are 0 when the file system cannot be read. */
    record LogDir(String path, String status, String reason, long usableBytes, long totalBytes) {}

    record Disk(int brokerId, List<LogDir> logDirs) {}

    private final StatusSources sources;

    DiskView(StatusSources sources) {
        this.sources = sources;
    }

    CompletableFuture<Disk> local(Query query) {
        return CompletableFuture.completedFuture(disk());
    }

    Disk disk() {
        List<LogDir> dirs = new ArrayList<>();
        for (LogDirState d : sources.logs().logDirStates()) {
            File f = d.dir().toFile();
            dirs.add(new LogDir(
                    d.dir().toString(), d.status().name(), d.reason(), f.getUsableSpace(), f.getTotalSpace()));
        }
        return new Disk(sources.brokerId(), dirs);
    }
}
