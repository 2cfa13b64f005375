package io.strand.server.testing;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector, recording what it reports in {@link NettyLeaks} as well as logging it.
 * Installed for every detector of the test JVM by the surefire argument {@code
 * -Dio.netty.customResourceLeakDetector=io.strand.server.testing.RecordingLeakDetector} (server and
 * tools modules), or by {@link NettyLeaks#install()} when a test runs outside Maven.
 *
 * <p>Threading: Netty calls the report methods on whichever thread allocates a tracked object;
 * {@link NettyLeaks} is thread-safe.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
    /** The constructor Netty's {@code DefaultResourceLeakDetectorFactory} calls for a custom class. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /** The constructor Netty looks up first (without it, it logs an error before it takes the one above). */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval);
    }

    @Override
    protected boolean needReport() {
        return true; // report even if Netty's logger is quiet: the test fails on a leak either way
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        NettyLeaks.reported(
                "LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        NettyLeaks.reported("LEAK: " + resourceType + ".release() was not called before it was garbage-collected"
                + " (no access records: the leak detector level was below advanced when it was allocated)");
        super.reportUntracedLeak(resourceType);
    }
}
