package io.strand.coordinator;

/**
 * A compare-and-set lost a race: the znode changed (or appeared, or vanished) since it was read.
 * The caller re-reads and decides again; it never retries the same write blindly.
 */
public final class VersionConflictException extends MetadataStoreException {
    private final String path;

    public VersionConflictException(String path, String reason, Throwable cause) {
        super("write of " + path + " lost a race: " + reason, cause);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
