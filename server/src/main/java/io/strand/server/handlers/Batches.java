package io.strand.server.handlers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The parts of a request that names many resources (topics, configs, groups), each answered on its
 * own: the keys named more than once, and one response once every part has its answer, in request
 * order. A part failing fails the response (answered with the API's error response).
 */
final class Batches {
    private Batches() {}

    /** The keys that more than one of {@code items} has. */
    static <T> Set<String> repeated(Collection<T> items, Function<T, String> key) {
        Set<String> seen = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (T item : items) {
            String k = key.apply(item);
            if (!seen.add(k)) {
                repeated.add(k);
            }
        }
        return repeated;
    }

    /** The answers of {@code parts} in their order, once all are known. */
    static <T> CompletableFuture<List<T>> allInOrder(List<CompletableFuture<T>> parts) {
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<T> answers = new ArrayList<>(parts.size());
            parts.forEach(f -> answers.add(f.join()));
            return answers;
        });
    }

    /** A new response with the answers of {@code parts}, in their order, added to its list {@code into}. */
    static <T, R> CompletableFuture<R> collect(
            List<CompletableFuture<T>> parts, Supplier<R> response, Function<R, ? extends Collection<T>> into) {
        return allInOrder(parts).thenApply(answers -> {
            R r = response.get();
            into.apply(r).addAll(answers);
            return r;
        });
    }
}
