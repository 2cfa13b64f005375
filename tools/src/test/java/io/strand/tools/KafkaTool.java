package io.strand.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.utils.internals.Exit;

/**
 * Runs one of Kafka's own command-line tools (from {@code org.apache.kafka:kafka-tools}) in this JVM:
 * its {@code main} with stdout and stderr captured and {@code Exit.exit} turned into a returned exit
 * code. Not thread-safe: one tool at a time (it swaps System.out and System.err).
 */
final class KafkaTool {
    static final String TOPIC_COMMAND = "org.apache.kafka.tools.TopicCommand";
    static final String CONFIG_COMMAND = "org.apache.kafka.tools.ConfigCommand";
    static final String REASSIGN_COMMAND = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    static final String LEADER_ELECTION_COMMAND = "org.apache.kafka.tools.LeaderElectionCommand";
    static final String TRANSACTIONS_COMMAND = "org.apache.kafka.tools.TransactionsCommand";
    static final String CONSUMER_GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    static final String SHARE_GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";

    record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static final class Exited extends RuntimeException {
        Exited(int code) {
            super("exit " + code, null, false, false);
        }
    }

    private KafkaTool() {}

    static synchronized Result run(String mainClass, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        // some tools call Exit.exit(0) inside a try that turns any Throwable into exit 1: the first exit is the answer
        java.util.concurrent.atomic.AtomicInteger first = new java.util.concurrent.atomic.AtomicInteger(-1);
        Exit.setExitProcedure((status, message) -> {
            first.compareAndSet(-1, status);
            throw new Exited(status);
        });
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Method main = Class.forName(mainClass).getMethod("main", String[].class);
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (!(e.getCause() instanceof Exited)) {
                throw e;
            }
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
            Exit.resetExitProcedure();
        }
        return new Result(
                Math.max(0, first.get()), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
