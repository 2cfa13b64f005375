package io.strand.server.group.assignor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class AssignorsTest {
    @Test
    void byNameFindsTheConsumerAssignorsAndNothingElse() {
        assertInstanceOf(UniformAssignor.class, Assignors.byName("uniform"));
        assertInstanceOf(RangeAssignor.class, Assignors.byName("range"));
        assertEquals("uniform", Assignors.byName("uniform").name());
        assertEquals("range", Assignors.byName("range").name());
        assertSame(Assignors.byName("uniform"), Assignors.byName("uniform"));
        assertNull(Assignors.byName("simple"));
        assertNull(Assignors.byName("Uniform"));
        assertNull(Assignors.byName("sticky"));
        assertNull(Assignors.byName(null));
    }

    @Test
    void theDefaultIsUniformAndShareGroupsGetTheSimpleAssignor() {
        assertEquals("uniform", Assignors.DEFAULT);
        assertInstanceOf(UniformAssignor.class, Assignors.byName(Assignors.DEFAULT));
        assertInstanceOf(SimpleShareAssignor.class, Assignors.share());
    }
}
