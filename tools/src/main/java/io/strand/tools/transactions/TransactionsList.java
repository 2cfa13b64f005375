package io.strand.tools.transactions;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerOutputFlags;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import io.strand.tools.cli.UsageException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;

/**
 * {@code strand transactions list}: every transactional id the coordinators know (ListTransactions),
 * described (DescribeTransactions): state, producer id and epoch, coordinator, the partitions of an
 * open transaction and how long it has been open. {@code --state} keeps only ids in that state.
 */
final class TransactionsList extends Command<TransactionsList.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(
                names = "--state",
                description = "Only transactions in this state (Empty, Ongoing, PrepareCommit, PrepareAbort, "
                        + "CompleteCommit, CompleteAbort, Dead, PrepareEpochFence); may be repeated")
        List<String> states = new ArrayList<>();
    }

    TransactionsList() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        List<TransactionState> states = new ArrayList<>();
        for (String s : flags.states) {
            TransactionState parsed = TransactionState.parse(s.trim());
            if (parsed == TransactionState.UNKNOWN) {
                throw new UsageException("--state " + s + " is not a transaction state; states are Empty, Ongoing, "
                        + "PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence");
            }
            states.add(parsed);
        }
        Map<String, TransactionDescription> described = new TreeMap<>();
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            Collection<TransactionListing> listed = admin.awaitOrFail(
                    admin.admin()
                            .listTransactions(new ListTransactionsOptions().filterStates(states))
                            .all(),
                    "listing transactions");
            List<String> ids =
                    listed.stream().map(TransactionListing::transactionalId).toList();
            if (!ids.isEmpty()) {
                described.putAll(admin.awaitOrFail(
                        admin.admin().describeTransactions(ids).all(), "describing transactions"));
            }
        }
        long now = System.currentTimeMillis();
        flags.common.print(
                io,
                () -> described.entrySet().stream()
                        .map(e -> Json.object(
                                "transactionalId", e.getKey(),
                                "state", e.getValue().state().toString(),
                                "producerId", e.getValue().producerId(),
                                "producerEpoch", e.getValue().producerEpoch(),
                                "coordinator", e.getValue().coordinatorId(),
                                "timeoutMs", e.getValue().transactionTimeoutMs(),
                                "openForMs", openFor(e.getValue(), now),
                                "partitions", partitions(e.getValue())))
                        .toList(),
                () -> {
                    Table t = new Table(
                            "TRANSACTIONAL-ID", "STATE", "PRODUCER", "EPOCH", "COORDINATOR", "OPEN-FOR", "PARTITIONS");
                    described.forEach((id, d) -> {
                        Long open = openFor(d, now);
                        t.row(
                                id,
                                d.state().toString(),
                                d.producerId(),
                                d.producerEpoch(),
                                d.coordinatorId(),
                                open == null ? "-" : String.format(Locale.ROOT, "%.1fs", open / 1000.0),
                                partitions(d).isEmpty() ? "-" : String.join(",", partitions(d)));
                    });
                    t.print(io, "");
                });
        return 0;
    }

    private static Long openFor(TransactionDescription d, long now) {
        return d.transactionStartTimeMs().isPresent()
                ? now - d.transactionStartTimeMs().getAsLong()
                : null;
    }

    private static List<String> partitions(TransactionDescription d) {
        return d.topicPartitions().stream().map(Object::toString).sorted().toList();
    }
}
