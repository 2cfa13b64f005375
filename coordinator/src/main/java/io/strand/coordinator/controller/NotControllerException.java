package io.strand.coordinator.controller;

/** A request only the active controller can serve reached a broker that is not (or no longer) controller. */
public final class NotControllerException extends RuntimeException {
    public NotControllerException(String message) {
        super(message);
    }
}
