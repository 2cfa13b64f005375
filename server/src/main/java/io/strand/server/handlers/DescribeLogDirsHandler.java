package io.strand.server.handlers;

import io.strand.server.network.ApiHandler;
import io.strand.server.network.RequestContext;
import io.strand.server.security.RequestAuthorization;
import io.strand.wal.LogManager;
import io.strand.wal.PartitionLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeLogDirs: this broker's log directories and the partition logs in each (size in bytes,
 * offset lag = how far the log end is behind the high watermark, never negative), all topics or
 * the ones asked for; total and usable bytes of each directory's file store from v4. Strand has no
 * future (moving) logs. A directory taken offline by an I/O error answers KAFKA_STORAGE_ERROR. Needs
 * DESCRIBE on the cluster, as Kafka checks: else no directories and CLUSTER_AUTHORIZATION_FAILED (v3+).
 */
public record DescribeLogDirsHandler(LogManager logs, RequestAuthorization auth)
        implements ApiHandler<DescribeLogDirsRequestData> {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public CompletionStage<DescribeLogDirsResponseData> handle(RequestContext ctx, DescribeLogDirsRequestData request) {
        if (!auth.allowedOnCluster(ctx, AclOperation.DESCRIBE)) {
            DescribeLogDirsResponseData refused = new DescribeLogDirsResponseData();
            if (ctx.apiVersion() >= 3) { // no error code before v3: just no directories
                refused.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
            }
            return CompletableFuture.completedFuture(refused);
        }
        Set<TopicPartition> wanted = null;
        if (request.topics() != null) {
            wanted = new HashSet<>();
            for (DescribeLogDirsRequestData.DescribableLogDirTopic t : request.topics()) {
                for (int p : t.partitions()) {
                    wanted.add(new TopicPartition(t.topic(), p));
                }
            }
        }
        Map<Path, Map<String, DescribeLogDirsTopic>> byDir = new LinkedHashMap<>();
        for (Path dir : logs.logDirs()) {
            byDir.put(dir.toAbsolutePath().normalize(), new TreeMap<>());
        }
        for (PartitionLog wal : logs.all()) {
            TopicPartition tp = wal.topicPartition();
            if (wanted != null && !wanted.contains(tp)) {
                continue;
            }
            Path dir = wal.dir().toAbsolutePath().normalize().getParent();
            Map<String, DescribeLogDirsTopic> topics = byDir.get(dir);
            if (topics == null) {
                continue;
            }
            topics.computeIfAbsent(tp.topic(), t -> new DescribeLogDirsTopic().setName(t))
                    .partitions()
                    .add(new DescribeLogDirsPartition()
                            .setPartitionIndex(tp.partition())
                            .setPartitionSize(wal.sizeInBytes())
                            .setOffsetLag(Math.max(0, wal.highWatermark() - wal.logEndOffset()))
                            .setIsFutureKey(false));
        }
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        Set<Path> offline = new HashSet<>();
        logs.offlineLogDirs().forEach(d -> offline.add(d.toAbsolutePath().normalize()));
        byDir.forEach((dir, topics) -> {
            DescribeLogDirsResult r =
                    new DescribeLogDirsResult().setLogDir(dir.toString()).setErrorCode(Errors.NONE.code());
            if (offline.contains(dir)) { // as Kafka: an offline directory answers KAFKA_STORAGE_ERROR, no logs
                response.results().add(r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()));
                return;
            }
            topics.values().forEach(t -> {
                t.partitions().sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
                r.topics().add(t);
            });
            if (ctx.apiVersion() >= 4) {
                try {
                    FileStore store = Files.getFileStore(dir);
                    r.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
                } catch (IOException e) {
                    r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
                }
            }
            response.results().add(r);
        });
        return CompletableFuture.completedFuture(response);
    }
}
