package io.strand.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code bin/strand-broker <file.properties>}: runs one broker until SIGTERM/SIGINT. */
public final class StrandBroker {
    private static final Logger log = LoggerFactory.getLogger(StrandBroker.class);

    private StrandBroker() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: strand-broker <server.properties>");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        if (!Files.isReadable(file)) {
            System.err.println("strand-broker: cannot read configuration file " + file);
            System.exit(1);
        }
        BrokerConfig config;
        try {
            config = BrokerConfig.load(file);
        } catch (ConfigException e) {
            System.err.println("strand-broker: invalid configuration in " + file + ": " + e.getMessage());
            log.error("Invalid configuration in {}: {}", file, e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println("strand-broker: cannot read " + file + ": " + e);
            System.exit(1);
            return;
        }
        Broker broker = new Broker(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Shutting down broker {}", config.brokerId());
                            broker.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        try {
            broker.start();
        } catch (Exception e) {
            log.error("Broker {} failed to start", config.brokerId(), e);
            System.err.println("strand-broker: broker " + config.brokerId() + " failed to start: " + e.getMessage());
            System.exit(1);
        }
        broker.stoppedItself().thenAccept(why -> {
            log.error("Broker {} stopped: {}", config.brokerId(), why);
            System.err.println("strand-broker: broker " + config.brokerId() + " stopped: " + why);
            System.exit(1);
        });
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
