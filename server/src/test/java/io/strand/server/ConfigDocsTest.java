package io.strand.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists exactly the settings the broker accepts, with their defaults. */
class ConfigDocsTest {
    @Test
    void shouldMatchTheBrokerConfigDefinitions() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        String begin = "<!-- BEGIN GENERATED: ConfigDocs -->\n";
        String end = "<!-- END GENERATED: ConfigDocs -->";
        String table = doc.substring(doc.indexOf(begin) + begin.length(), doc.indexOf(end));
        assertEquals(
                ConfigDocs.table(),
                table,
                "regenerate with: java -cp server/target/classes:server/target/lib/'*' io.strand.server.ConfigDocs");
    }
}
