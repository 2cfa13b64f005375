package io.strand.tools.transactions;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerOutputFlags;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.KafkaAdmin;
import io.strand.tools.cli.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strand transactions producers -t TOPIC}: for each partition of the topic, the producers its
 * leader knows (DescribeProducers): producer id and epoch, last sequence, coordinator epoch, and the
 * first offset of the transaction each has open there — an open transaction holds the partition's
 * last stable offset, and with it every read_committed consumer, back.
 */
final class TransactionsProducers extends Command<TransactionsProducers.Flags> {
    static final class Flags {
        @ParametersDelegate
        final BrokerOutputFlags common = new BrokerOutputFlags();

        @Parameter(
                names = {"-t", "--topic"},
                description = "The topic",
                required = true)
        String topic;
    }

    private record Row(TopicPartition tp, ProducerState p) {}

    TransactionsProducers() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        List<Row> rows = new ArrayList<>();
        try (KafkaAdmin admin = flags.common.openAdmin()) {
            TopicDescription topic = admin.awaitOrFail(
                            admin.admin().describeTopics(List.of(flags.topic)).allTopicNames(), "describing the topic")
                    .get(flags.topic);
            List<TopicPartition> tps = topic.partitions().stream()
                    .map(p -> new TopicPartition(flags.topic, p.partition()))
                    .toList();
            DescribeProducersResult result = admin.admin().describeProducers(tps);
            Map<TopicPartition, DescribeProducersResult.PartitionProducerState> states =
                    new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            states.putAll(admin.awaitOrFail(result.all(), "describing producers"));
            states.forEach((tp, s) -> s.activeProducers().forEach(p -> rows.add(new Row(tp, p))));
        }
        flags.common.print(
                io,
                () -> rows.stream()
                        .map(r -> Json.object(
                                "partition", r.tp().partition(),
                                "producerId", r.p().producerId(),
                                "producerEpoch", r.p().producerEpoch(),
                                "lastSequence", r.p().lastSequence(),
                                "coordinatorEpoch",
                                        r.p().coordinatorEpoch().isPresent()
                                                ? r.p().coordinatorEpoch().getAsInt()
                                                : null,
                                "openTransactionStartOffset",
                                        r.p().currentTransactionStartOffset().isPresent()
                                                ? r.p().currentTransactionStartOffset()
                                                        .getAsLong()
                                                : null))
                        .toList(),
                () -> {
                    Table t = new Table(
                            "PARTITION", "PRODUCER", "EPOCH", "LAST-SEQUENCE", "COORDINATOR-EPOCH", "OPEN-TXN-START");
                    rows.forEach(r -> t.row(
                            r.tp().toString(),
                            r.p().producerId(),
                            r.p().producerEpoch(),
                            r.p().lastSequence(),
                            r.p().coordinatorEpoch().isPresent()
                                    ? r.p().coordinatorEpoch().getAsInt()
                                    : "-",
                            r.p().currentTransactionStartOffset().isPresent()
                                    ? r.p().currentTransactionStartOffset().getAsLong()
                                    : "-"));
                    t.print(io, "");
                });
        return 0;
    }
}
