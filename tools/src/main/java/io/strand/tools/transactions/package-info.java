/**
 * The {@code strand transactions} commands: open and recent transactions by transactional id, and the
 * producers of partitions with their open transactions. Registered by {@link
 * io.strand.tools.transactions.TransactionsCommands}.
 */
package io.strand.tools.transactions;
