package io.strand.server.http.status;

import java.util.List;

/** One page of a sorted list: {@code limit} items from {@code offset}. Stateless. */
final class Paging {
    private Paging() {}

    static <T> List<T> page(List<T> all, int offset, int limit) {
        int from = Math.min(offset, all.size());
        int to = (int) Math.min((long) offset + limit, all.size());
        return all.subList(from, to);
    }
}
