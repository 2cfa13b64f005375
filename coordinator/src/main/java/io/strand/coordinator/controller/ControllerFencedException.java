package io.strand.coordinator.controller;

import io.strand.coordinator.MetadataStoreException;

/** {@code /controller_epoch} moved past this controller's epoch: it must stop acting at once. */
public final class ControllerFencedException extends MetadataStoreException {
    public ControllerFencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
