package io.strand.tools.transactions;

import io.strand.tools.cli.CommandSpec;
import java.util.List;

/**
 * The {@code strand transactions} group: what the transaction coordinators and the partition leaders
 * know of transactions. Registers its commands with {@link io.strand.tools.StrandCli}.
 */
public final class TransactionsCommands {
    private TransactionsCommands() {}

    /** The commands of this group, in the order {@code strand --help} lists them. */
    public static List<CommandSpec> commands() {
        return List.of(
                new CommandSpec(
                        "transactions list",
                        "Show transactional ids with their state, producer, partitions and age",
                        TransactionsList::new),
                new CommandSpec(
                        "transactions producers",
                        "Show the producers of a topic's partitions and the transactions they have open",
                        TransactionsProducers::new));
    }
}
