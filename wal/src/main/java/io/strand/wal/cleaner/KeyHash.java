package io.strand.wal.cleaner;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * The 128-bit hash the cleaner's key map stores instead of a key: SipHash-2-4 with 128-bit output (Aumasson and
 * Bernstein), keyed with a random key per map. Kafka hashes keys with MD5, which is slower and no longer collision
 * resistant: a client able to make two keys collide could make the cleaner drop the other key's latest record.
 * SipHash is a keyed pseudorandom function: without the key, which never leaves the process, colliding keys cannot
 * be chosen, and two keys collide by chance with probability 2^-128.
 *
 * <p>Not thread-safe: the result of the last {@link #hash} is in {@link #hi} and {@link #lo}.
 */
final class KeyHash {
    private final long k0;
    private final long k1;
    long hi;
    long lo;

    KeyHash() {
        SecureRandom r = new SecureRandom();
        this.k0 = r.nextLong();
        this.k1 = r.nextLong();
    }

    KeyHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** The SipHash state while a key is hashed. */
    private long v0;

    private long v1;
    private long v2;
    private long v3;

    /** Hashes {@code key}'s remaining bytes (its position is not moved). */
    void hash(ByteBuffer key) {
        v0 = 0x736f6d6570736575L ^ k0;
        v1 = 0x646f72616e646f6dL ^ k1 ^ 0xee;
        v2 = 0x6c7967656e657261L ^ k0;
        v3 = 0x7465646279746573L ^ k1;
        ByteBuffer b = key.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int len = b.remaining();
        int p = b.position();
        int end = p + (len & ~7);
        for (; p < end; p += 8) compress(b.getLong(p));
        long last = ((long) len) << 56;
        for (int i = 0; p + i < b.limit(); i++) last |= (b.get(p + i) & 0xffL) << (8 * i);
        compress(last);
        v2 ^= 0xee;
        rounds(4);
        lo = v0 ^ v1 ^ v2 ^ v3;
        v1 ^= 0xdd;
        rounds(4);
        hi = v0 ^ v1 ^ v2 ^ v3;
    }

    /** One message word: two SipRounds. */
    private void compress(long m) {
        v3 ^= m;
        rounds(2);
        v0 ^= m;
    }

    private void rounds(int n) {
        for (int i = 0; i < n; i++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }
}
