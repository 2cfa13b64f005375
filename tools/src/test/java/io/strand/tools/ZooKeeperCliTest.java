package io.strand.tools;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that run commands against a test ZooKeeper: one server for the test class, and
 * for each test a fresh Strand chroot ({@link StrandZk}) with the brokers the subclass names.
 */
public abstract class ZooKeeperCliTest {
    protected static TestingServer server;

    /** This test's chroot, with its brokers registered. */
    protected StrandZk cluster;

    private final int[] brokerIds;

    protected ZooKeeperCliTest(int... brokerIds) {
        this.brokerIds = brokerIds;
    }

    @BeforeAll
    static void startZooKeeper() throws Exception {
        server = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        server.close();
    }

    @BeforeEach
    void registerBrokers() {
        cluster = StrandZk.withBrokers(server, brokerIds);
    }

    @AfterEach
    void unregisterBrokers() {
        cluster.close();
    }

    /** Runs a command with {@code --zookeeper} set to this test's chroot. */
    protected CliHarness.Result cli(String... args) {
        return CliHarness.run(CliHarness.with(args, "--zookeeper", cluster.connect));
    }
}
