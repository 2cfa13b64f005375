package io.strand.coordinator;

/** A ZooKeeper operation failed for a reason other than a lost race (connection loss, session expiry, ...). */
public class MetadataStoreException extends RuntimeException {
    public MetadataStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public MetadataStoreException(String message) {
        super(message);
    }
}
