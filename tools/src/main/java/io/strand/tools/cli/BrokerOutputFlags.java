package io.strand.tools.cli;

import com.beust.jcommander.ParametersDelegate;
import java.util.function.Supplier;

/**
 * The flags of a command that works through a broker and prints results: the {@link BrokerFlags}
 * and the {@link OutputFlags}. Compose with {@code @ParametersDelegate}.
 */
public final class BrokerOutputFlags {
    @ParametersDelegate
    final BrokerFlags broker = new BrokerFlags();

    @ParametersDelegate
    final OutputFlags output = new OutputFlags();

    public BrokerFlags broker() {
        return broker;
    }

    /** Connects to the brokers, as {@link KafkaAdmin#open(BrokerFlags)}; the caller closes it. */
    public KafkaAdmin openAdmin() {
        return KafkaAdmin.open(broker);
    }

    public boolean json() {
        return output.json();
    }

    /** As {@link OutputFlags#print}. */
    public void print(Io io, Supplier<?> json, Runnable text) {
        output.print(io, json, text);
    }
}
