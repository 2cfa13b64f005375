package io.strand.server.http.status;

/** A request the status page answers with an HTTP error status and a reason (shown to the user). */
final class StatusException extends RuntimeException {
    private final int status;

    StatusException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static StatusException badRequest(String message) {
        return new StatusException(400, message);
    }

    static StatusException notFound(String message) {
        return new StatusException(404, message);
    }

    int status() {
        return status;
    }
}
