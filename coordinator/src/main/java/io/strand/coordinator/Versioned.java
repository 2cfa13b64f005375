package io.strand.coordinator;

import java.util.Objects;

/**
 * A znode's decoded value together with the znode version it was read at. Writing it back is only
 * possible with that version ({@link MetadataStore#setIfVersion}); a concurrent writer makes the
 * write fail with {@link VersionConflictException}.
 */
public record Versioned<T>(T value, int version) {
    /** The version of a znode that does not exist yet: writing it means create-if-absent. */
    public static final int NEW = -1;

    public Versioned {
        Objects.requireNonNull(value, "value");
    }
}
