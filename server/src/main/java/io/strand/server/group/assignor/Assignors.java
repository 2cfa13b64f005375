package io.strand.server.group.assignor;

/**
 * The server-side assignors by name: {@value UniformAssignor#NAME} (the default) and
 * {@value RangeAssignor#NAME} for consumer groups, {@value SimpleShareAssignor#NAME} for share
 * groups. Each is a shared, stateless, thread-safe instance.
 */
public final class Assignors {
    /** The assignor a consumer group uses when its members name none: {@value}. */
    public static final String DEFAULT = UniformAssignor.NAME;

    private static final ConsumerGroupAssignor UNIFORM = new UniformAssignor();
    private static final ConsumerGroupAssignor RANGE = new RangeAssignor();
    private static final ShareGroupAssignor SHARE = new SimpleShareAssignor();

    private Assignors() {}

    /** The assignor named {@code name} ({@code "uniform"}, {@code "range"}; exact match), or null if unknown. */
    public static ConsumerGroupAssignor byName(String name) {
        if (name == null) {
            return null;
        }
        return switch (name) {
            case UniformAssignor.NAME -> UNIFORM;
            case RangeAssignor.NAME -> RANGE;
            default -> null;
        };
    }

    /** Share groups' assignor (KIP-932 {@code "simple"}). */
    public static ShareGroupAssignor share() {
        return SHARE;
    }
}
