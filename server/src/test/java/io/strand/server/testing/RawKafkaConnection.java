package io.strand.server.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking socket to one broker for tests that need exact control over what is sent: one
 * request at a time built from kafka-clients' generated classes, or arbitrary bytes to exercise
 * bad input. Not thread-safe.
 */
public final class RawKafkaConnection implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    public RawKafkaConnection(String host, int port) throws IOException {
        this(connect(host, port));
    }

    /** Over a socket the caller connected (e.g. a TLS one). */
    public RawKafkaConnection(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(15_000);
        // one request goes out as one write, at once: no Nagle wait behind the size prefix
        socket.setTcpNoDelay(true);
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        return s;
    }

    /** Sends {@code body} as {@code api} at {@code version} and returns the parsed response. */
    public AbstractResponse send(ApiKeys api, short version, ApiMessage body) throws IOException {
        RequestHeader header = new RequestHeader(api, version, "raw-test-client", ++correlationId);
        writeFrame(serialize(header.data(), header.headerVersion(), body, version));
        ByteBuffer response = readFrame();
        return AbstractResponse.parseResponse(response, header);
    }

    /** Produces {@code records} to one partition named by topic (Produce v11) and returns that partition's answer. */
    public ProduceResponseData.PartitionProduceResponse produce(
            String topic, int partition, short acks, int timeoutMs, MemoryRecords records) throws IOException {
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(records));
        ProduceRequestData req = new ProduceRequestData().setAcks(acks).setTimeoutMs(timeoutMs);
        req.topicData().add(td);
        ProduceResponse r = (ProduceResponse) send(ApiKeys.PRODUCE, (short) 11, req);
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

    /** Produces one record with {@code value} and returns the partition's error. */
    public Errors produce(String topic, int partition, short acks, int timeoutMs, String value) throws IOException {
        MemoryRecords one = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes()));
        return Errors.forCode(produce(topic, partition, acks, timeoutMs, one).errorCode());
    }

    /** A request frame for an API key that may not exist: the header is written with the generated header class. */
    public static ByteBuffer serialize(RequestHeaderData header, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + (body == null ? 0 : body.size(cache, version));
        ByteBuffer buf = ByteBuffer.allocate(size);
        ByteBufferAccessor w = new ByteBufferAccessor(buf);
        header.write(w, cache, headerVersion);
        if (body != null) {
            body.write(w, cache, version);
        }
        buf.flip();
        return buf;
    }

    public static ByteBuffer serialize(ApiMessage message, short version) {
        return MessageUtil.toByteBufferAccessor(message, version).buffer();
    }

    /** Writes a 4-byte size and then {@code payload}, and sends them. */
    public void writeFrame(ByteBuffer payload) throws IOException {
        out.writeInt(payload.remaining());
        writeRaw(payload);
    }

    /** Writes {@code bytes} as they are (any bytes: bad input is the point) and sends them. */
    public void writeRaw(ByteBuffer bytes) throws IOException {
        byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        out.write(b);
        out.flush();
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] b = new byte[size];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    /** True if the broker closed this connection (end of stream) within the socket timeout. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    public int nextCorrelationId() {
        return ++correlationId;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
