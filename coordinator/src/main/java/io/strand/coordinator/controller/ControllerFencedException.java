package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataStoreException;
import io.strand.coordinator.VersionConflictException;
import io.strand.coordinator.Znodes;

/** {@code /controller_epoch} moved past this controller's epoch: it must stop acting at once. */
public final class ControllerFencedException extends MetadataStoreException {
    public ControllerFencedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Throws if {@code conflict} is on {@code /controller_epoch}: the check op of a controller's multi,
     * expecting {@code epochZkVersion}, failed because another controller was elected.
     */
    static void throwIfFenced(VersionConflictException conflict, int epochZkVersion) {
        if (Znodes.CONTROLLER_EPOCH.equals(conflict.path())) {
            throw new ControllerFencedException(
                    "/controller_epoch is no longer at version " + epochZkVersion + ": another controller was elected",
                    conflict);
        }
    }
}
