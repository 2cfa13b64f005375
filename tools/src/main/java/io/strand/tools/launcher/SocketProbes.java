package io.strand.tools.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a TCP port on this host says: whether something accepts connections there, and ZooKeeper's
 * answer to a four-letter word ({@code srvr}: the server serves requests when the answer has a
 * {@code Mode:} line). Every call is bounded by a few seconds.
 *
 * <p>Stateless and thread-safe.
 */
final class SocketProbes {
    private static final int CONNECT_TIMEOUT_MS = 2000;
    private static final int FOUR_LETTER_TIMEOUT_MS = 3000;

    private SocketProbes() {}

    /** Whether host:port accepts a TCP connection within 2 s. */
    static boolean portOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether "host:port" accepts a TCP connection within 2 s; false for an address without a port. */
    static boolean portOpen(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        Optional<Integer> port = ClusterLayout.uint(colon < 0 ? "" : hostPort.substring(colon + 1));
        return port.isPresent() && portOpen(hostPort.substring(0, colon), port.get());
    }

    /** ZooKeeper's answer on 127.0.0.1:port to a four-letter word such as {@code srvr}; empty when none. */
    static Optional<String> fourLetterWord(int port, String word) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), FOUR_LETTER_TIMEOUT_MS);
            s.setSoTimeout(FOUR_LETTER_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return Optional.of(answer.toString(StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The value of {@code Mode:} in ZooKeeper's {@code srvr} answer ("standalone", "leader", ...), if it serves. */
    static Optional<String> zooKeeperMode(int port) {
        return fourLetterWord(port, "srvr")
                .flatMap(answer -> answer.lines()
                        .filter(l -> l.startsWith("Mode: "))
                        .map(l -> l.substring("Mode: ".length()).strip())
                        .findFirst());
    }

    /** Whether ZooKeeper on 127.0.0.1:port serves requests (answers srvr with a Mode). */
    static boolean zooKeeperServing(int port) {
        return zooKeeperMode(port).isPresent();
    }
}
