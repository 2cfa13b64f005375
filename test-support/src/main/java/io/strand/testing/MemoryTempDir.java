package io.strand.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * A {@code @TempDir} in memory ({@code /dev/shm}, a tmpfs) where the machine has one, else in the
 * default temporary directory: {@code @TempDir(factory = MemoryTempDir.class)}. For tests that
 * measure something other than the disk (heap, file counts) yet write and delete hundreds of
 * megabytes, which on a busy disk is most of their run time. fsync still runs (and costs nothing
 * there), so code paths are the same; tests of durability keep a disk-backed directory.
 *
 * <p>Threading: JUnit calls it on the test's thread.
 */
public final class MemoryTempDir implements TempDirFactory {
    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return Files.createTempDirectory(SHM, "strand-test-");
        }
        return Files.createTempDirectory("strand-test-");
    }
}
