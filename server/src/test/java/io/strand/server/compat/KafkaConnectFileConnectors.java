package io.strand.server.compat;

import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.file.FileStreamSinkConnector;
import org.apache.kafka.connect.file.FileStreamSinkTask;
import org.apache.kafka.connect.file.FileStreamSourceConnector;
import org.apache.kafka.connect.file.FileStreamSourceTask;

/**
 * Kafka's FileStreamSource and FileStreamSink connectors as {@link KafkaConnectTest} runs them on
 * connect-runtime 4.4: unchanged, except for {@code version()}. connect-file 4.4.0 is not served by
 * the registry the build reaches, and 4.3.1's {@code version()} (the connectors' and, through them,
 * the tasks') calls {@code org.apache.kafka.common.utils.AppInfoParser}, which kafka-clients 4.4
 * moved to {@code common.utils.internals}: Connect calls {@code version()} when it validates a
 * connector config and starts a task, and gets a {@link NoClassDefFoundError}. These subclasses
 * answer it themselves; reading, offsets, polling and writing are Kafka's code. Found by the
 * worker's {@code plugin.discovery=service_load} through {@code META-INF/services} in the test
 * resources. With connect-file 4.4.0 they can go.
 */
public final class KafkaConnectFileConnectors {
    /** The connect-file release these wrap. */
    public static final String VERSION = "4.3.1";

    private KafkaConnectFileConnectors() {}

    /** FileStreamSourceConnector: reads a file's lines into a topic; its offset is the byte position read to. */
    public static final class Source extends FileStreamSourceConnector {
        @Override
        public String version() {
            return VERSION;
        }

        @Override
        public Class<? extends Task> taskClass() {
            return SourceTask.class;
        }
    }

    public static final class SourceTask extends FileStreamSourceTask {
        @Override
        public String version() {
            return VERSION;
        }
    }

    /** FileStreamSinkConnector: appends each record's value to a file as a line. */
    public static final class Sink extends FileStreamSinkConnector {
        @Override
        public String version() {
            return VERSION;
        }

        @Override
        public Class<? extends Task> taskClass() {
            return SinkTask.class;
        }
    }

    public static final class SinkTask extends FileStreamSinkTask {
        @Override
        public String version() {
            return VERSION;
        }
    }
}
