package io.strand.server.http.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A broker that checks ACLs shows no records: the page has no client identity to check them with. The refusal comes
 * before anything is read (this view is given no broker parts at all, and must not need one).
 */
class PeekRefusalTest {
    @Test
    void shouldRefuseToShowRecordsWhenTheBrokerChecksAcls() {
        PeekView peek = new PeekView(new StatusSources(null, null, null, null, null, null, null, true), null);
        Query query = Query.of(Map.of("topic", "t", "partition", "0"));
        for (Runnable ask : new Runnable[] {() -> peek.answer(query), () -> peek.local(query)}) {
            StatusException e = assertThrows(StatusException.class, ask::run);
            assertEquals(403, e.status());
            assertTrue(e.getMessage().contains("authorizer.class.name"), e.getMessage());
        }
    }
}
