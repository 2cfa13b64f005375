package io.strand.coordinator.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * A user name and password for ZooKeeper's built-in {@code digest} scheme, which needs no server
 * configuration: a client adds them to its session, and the znodes it creates carry the ACL id
 * {@code digest:<user>:<base64 SHA-1 of user:password>}. Read from a file holding one line {@code
 * user:password} (lines starting with {@code #} and blank lines are skipped).
 *
 * <p>{@link #toString()} names the user only: the password never reaches a log or a message.
 * Immutable; thread-safe.
 */
public final class DigestCredentials {
    private final String user;
    private final String password;

    public DigestCredentials(String user, String password) {
        if (user == null || user.isEmpty() || user.contains(":")) {
            throw new IllegalArgumentException("a ZooKeeper digest user name must be non-empty and without ':'");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("the ZooKeeper digest password of user '" + user + "' is empty");
        }
        this.user = user;
        this.password = password;
    }

    /**
     * Reads {@code user:password} from {@code file}.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it holds no such line (the message never quotes the file)
     */
    public static DigestCredentials read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String found = null;
        for (String line : lines) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (found != null) {
                throw new IllegalArgumentException(file + " holds more than one line: expected one user:password");
            }
            found = l;
        }
        if (found == null) {
            throw new IllegalArgumentException(file + " is empty: expected one line user:password");
        }
        int colon = found.indexOf(':');
        if (colon <= 0 || colon == found.length() - 1) {
            throw new IllegalArgumentException(file + " does not hold user:password");
        }
        return new DigestCredentials(found.substring(0, colon), found.substring(colon + 1));
    }

    /** The text {@code user:password} to write into a credentials file. */
    public String fileText() {
        return user + ":" + password + "\n";
    }

    public String user() {
        return user;
    }

    /** What a client adds to its session ({@code addAuthInfo("digest", ...)}). */
    public byte[] authBytes() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** The ACL id ZooKeeper gives this identity: {@code user:base64(sha1(user:password))}. */
    public String aclId() {
        try {
            return DigestAuthenticationProvider.generateDigest(user + ":" + password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DigestCredentials d && d.user.equals(user) && d.password.equals(password);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return "digest user '" + user + "'";
    }
}
