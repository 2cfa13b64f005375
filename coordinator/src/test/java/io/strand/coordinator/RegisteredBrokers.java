package io.strand.coordinator;

import io.strand.coordinator.proto.BrokerRegistration;
import org.apache.zookeeper.CreateMode;

/** Tests: broker registrations (ephemeral, of {@code store}'s session) that topic creation places replicas on. */
final class RegisteredBrokers {
    private RegisteredBrokers() {}

    /** Registers brokers 1 to {@code count}. */
    static void register(MetadataStore store, int count) {
        for (int id = 1; id <= count; id++) {
            store.createIfAbsent(
                    Znodes.broker(id),
                    BrokerRegistration.newBuilder().setBrokerId(id).build(),
                    CreateMode.EPHEMERAL);
        }
    }
}
