package io.strand.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class ProduceConsumeValidatorTest {
    private final ProduceConsumeValidator v = new ProduceConsumeValidator();

    @Test
    void shouldPassWhenEveryAcknowledgedRecordIsConsumedOnceInOrder() {
        for (int i = 0; i < 5; i++) {
            v.sent("a", "a" + i);
            v.acknowledged("a", "a" + i);
            v.sent("b", "b" + i);
            v.acknowledged("b", "b" + i);
        }
        for (int i = 0; i < 5; i++) {
            v.consumed("b", "b" + i);
        }
        for (int i = 0; i < 5; i++) {
            v.consumed("a", "a" + i);
        }
        v.assertNoneLost();
        v.assertNoDuplicates();
        v.assertInOrderPerKey();
        v.assertNothingUnexpected();
        assertEquals(10, v.acknowledgedCount());
        assertEquals(10, v.consumedCount());
    }

    @Test
    void shouldReportAKeyOfACompactedTopicThatDoesNotEndWithItsLatestAcknowledgedRecord() {
        for (String value : List.of("1", "2", "3")) {
            v.acknowledged("a", value);
            v.acknowledged("b", value);
            v.acknowledged("c", value);
        }
        v.sent("a", "4"); // its outcome unknown: it may be in the log, and then it is the latest
        v.acknowledged("d", "1");
        v.consumed("a", "4");
        v.consumed("b", "3");
        v.consumed("c", "1");
        v.consumed("c", "2"); // cleaned down to 2: 3 is missing
        assertEquals(
                Map.of("c", "acknowledged last 3, consumed last 2", "d", "acknowledged last 1, consumed last null"),
                v.notLatest());
        AssertionError e = assertThrows(AssertionError.class, v::assertLatestPerKey);
        assertTrue(
                e.getMessage().startsWith("2 keys do not end with their latest acknowledged record"), e.getMessage());
        v.consumed("c", "3");
        v.consumed("d", "1");
        v.assertLatestPerKey();
    }

    @Test
    void shouldReportAnAcknowledgedRecordThatWasNotConsumedAsLost() {
        v.acknowledged("k", "1");
        v.acknowledged("k", "2");
        v.sent("k", "3"); // sent, never acknowledged: not lost when missing
        v.consumed("k", "1");
        assertEquals(List.of(new ProduceConsumeValidator.Entry("k", "2")), v.lost());
        AssertionError e = assertThrows(AssertionError.class, v::assertNoneLost);
        assertTrue(e.getMessage().startsWith("1 acknowledged records were never consumed, e.g. [k/2]"), e.getMessage());
    }

    @Test
    void shouldReportDuplicatesAndLetATestExcuseSome() {
        v.acknowledged("", "1");
        v.acknowledged("", "2");
        v.consumed("", "1");
        v.consumed("", "2");
        v.consumed("", "2");
        v.consumed("", "1");
        assertEquals(2, v.duplicated().size());
        assertThrows(AssertionError.class, v::assertNoDuplicates);
        AssertionError e = assertThrows(
                AssertionError.class,
                () -> v.assertNoDuplicatesExcept(
                        "read by the killed consumer", x -> x.value().equals("1")));
        assertTrue(e.getMessage().contains("e.g. [2=2]"), e.getMessage());
        v.assertNoDuplicatesExcept("read by the killed consumer", x -> true);
    }

    @Test
    void shouldReportConsumptionThatGoesBackInSendOrderWithinAKeyOnly() {
        for (String value : List.of("1", "2", "3")) {
            v.sent("p0", value);
            v.sent("p1", value);
        }
        // a retry's duplicate of an earlier record is not disorder; going back to an earlier first is
        v.consumed("p0", "1");
        v.consumed("p0", "2");
        v.consumed("p0", "1");
        v.consumed("p0", "3");
        v.consumed("p1", "2");
        v.consumed("p1", "1");
        v.consumed("p1", "3");
        assertEquals(Map.of("p1", "at position 1 of 3: [2, 1, 3]"), v.outOfOrder());
        assertThrows(AssertionError.class, v::assertInOrderPerKey);
    }

    @Test
    void shouldReportRecordsConsumedThatWereNeverSent() {
        v.acknowledged("k", "1");
        v.consumed("k", "1");
        v.consumed("k", "9");
        assertEquals(List.of(new ProduceConsumeValidator.Entry("k", "9")), v.unexpected());
        assertThrows(AssertionError.class, v::assertNothingUnexpected);
    }

    @Test
    void shouldTellRetriableSendFailuresFromRefusals() {
        v.failed("k", "1", new TimeoutException("expired"));
        v.failed("k", "2", new NotLeaderOrFollowerException("moved"));
        v.assertOnlyRetriableSendFailures();
        assertThrows(AssertionError.class, v::assertNoSendFailures);
        v.failed("k", "3", new RecordTooLargeException("too large"));
        AssertionError e = assertThrows(AssertionError.class, v::assertOnlyRetriableSendFailures);
        assertTrue(e.getMessage().startsWith("1 sends failed with non-retriable errors"), e.getMessage());
    }

    @Test
    void shouldRefuseAValueSentTwiceUnderOneKey() {
        v.sent("k", "1");
        assertThrows(IllegalArgumentException.class, () -> v.sent("k", "1"));
    }
}
