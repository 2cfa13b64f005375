package io.strand.coordinator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/znodes.md names every parent znode a broker creates at start. */
class ZnodesDocTest {
    @Test
    void shouldListEveryParentZnodeBrokersCreate() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "znodes.md"));
        for (String parent : Znodes.PERSISTENT_PARENTS) {
            assertTrue(doc.contains("`" + parent + "`"), "docs/znodes.md does not name " + parent);
        }
    }
}
