package io.strand.server.quota;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sets {@code throttle_time_ms} on any response of kafka-clients' generated message classes that has
 * the field (every throttle-able API's response; the field is ignorable where a version lacks it, so
 * it is simply not written there), as Kafka's {@code AbstractResponse.maybeSetThrottleTimeMs} does.
 * Stateless apart from a per-class cache of the setter; thread-safe.
 */
final class ThrottleTimeField {
    private static final ClassValue<Optional<MethodHandle>> SETTERS = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            try {
                return Optional.of(MethodHandles.publicLookup()
                        .findVirtual(type, "setThrottleTimeMs", MethodType.methodType(type, int.class)));
            } catch (NoSuchMethodException | IllegalAccessException none) {
                return Optional.empty();
            }
        }
    };

    private ThrottleTimeField() {}

    /** Sets {@code throttleMs} on {@code response} if its API has the field. */
    static void set(ApiMessage response, int throttleMs) {
        Optional<MethodHandle> setter = SETTERS.get(response.getClass());
        if (setter.isPresent()) {
            try {
                setter.get().invoke(response, throttleMs);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("cannot set the throttle time of " + response.getClass(), e);
            }
        }
    }
}
