package io.strand.server.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.provider.ArgumentsSource;
import org.junit.jupiter.params.support.AnnotationConsumer;

/**
 * Runs a {@code @ParameterizedTest} once per version of an API, from its oldest to its latest as
 * kafka-clients knows them, passing the version as a {@code short}:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EveryVersion(ApiKeys.FETCH)
 * void shouldFetch(short version) { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ArgumentsSource(EveryVersion.Versions.class)
public @interface EveryVersion {
    ApiKeys value();

    /** The versions of the annotated API. */
    final class Versions implements ArgumentsProvider, AnnotationConsumer<EveryVersion> {
        private ApiKeys api;

        @Override
        public void accept(EveryVersion annotation) {
            api = annotation.value();
        }

        @Override
        public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
            return of(api).map(Arguments::of);
        }

        /** {@code api}'s versions, oldest first. */
        public static Stream<Short> of(ApiKeys api) {
            return IntStream.rangeClosed(api.oldestVersion(), api.latestVersion())
                    .mapToObj(v -> (short) v);
        }
    }
}
