package io.strand.tools.zk;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.CliException;
import io.strand.tools.cli.Command;
import io.strand.tools.cli.Io;
import io.strand.tools.cli.Json;
import io.strand.tools.cli.OutputFlags;
import io.strand.tools.cli.StopSignal;
import io.strand.tools.cli.ZkFlags;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * {@code strand watch [PATH]}: every change under PATH, live, one line each: time, CREATED / CHANGED
 * / DELETED, path, znode version, decoded payload. Fed by a {@link CuratorCache} (a persistent
 * recursive watch); lines are printed on Curator's event thread, in the order ZooKeeper reports
 * them, and flushed one by one. Without --since-now the nodes that exist at start come first, as
 * CREATED. Runs until Ctrl-C or {@link StopSignal#stop()}, or until stdout is closed. A chroot that
 * does not exist yet is waited for (Curator creates it as an empty container znode).
 */
final class Watch extends Command<Watch.Flags> {
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    enum Change {
        CREATED,
        CHANGED,
        DELETED
    }

    static final class Flags {
        @ParametersDelegate
        final ZkFlags zk = new ZkFlags();

        @ParametersDelegate
        final OutputFlags output = new OutputFlags();

        @Parameter(description = "[PATH]")
        List<String> path = new ArrayList<>();

        @Parameter(names = "--since-now", description = "Skip the znodes that exist at start; print only later changes")
        boolean sinceNow;
    }

    private volatile boolean printing;

    Watch() {
        super(new Flags());
    }

    @Override
    public int run(Io io) {
        String path = flags.path.isEmpty() ? "/" : ZnodePaths.one(flags.path);
        printing = !flags.sinceNow;
        try (CuratorFramework zk = flags.zk.connect(false)) {
            ConnectionStateListener connection = (client, state) -> {
                if (state != ConnectionState.CONNECTED) { // SUSPENDED, LOST, RECONNECTED: worth knowing
                    io.warn("# " + TIME.format(Instant.now()) + " ZooKeeper connection " + state);
                }
            };
            zk.getConnectionStateListenable().addListener(connection);
            CountDownLatch initialized = new CountDownLatch(1);
            try (CuratorCache cache = CuratorCache.build(zk, path)) {
                cache.listenable()
                        .addListener(CuratorCacheListener.builder()
                                .forCreates(node -> print(io, Change.CREATED, node))
                                .forChanges((before, after) -> print(io, Change.CHANGED, after))
                                .forDeletes(node -> print(io, Change.DELETED, node))
                                .forInitialized(() -> {
                                    printing = true;
                                    initialized.countDown();
                                })
                                .build());
                cache.start();
                if (!initialized.await(flags.zk.timeoutMs(), TimeUnit.MILLISECONDS)) {
                    throw new CliException("could not read the znodes under " + path + " from " + flags.zk.zookeeper()
                            + " within " + flags.zk.timeoutMs() + " ms");
                }
                io.warn("# watching " + path + " on " + flags.zk.zookeeper()
                        + (cache.get(path).isPresent() ? "" : " (" + path + " does not exist yet)")
                        + "; Ctrl-C to stop");
                io.stop().await();
            } finally {
                zk.getConnectionStateListenable().removeListener(connection);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopped the hard way: still a normal end of watching
        }
        return 0;
    }

    private void print(Io io, Change change, ChildData node) {
        if (!printing) {
            return;
        }
        String time = TIME.format(Instant.now());
        int version = node.getStat() == null ? -1 : node.getStat().getVersion();
        if (flags.output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("time", time);
            json.put("type", change.name());
            json.put("path", node.getPath());
            json.put("version", version);
            json.put("data", Payloads.json(node.getPath(), node.getData()));
            io.println(Json.write(json));
        } else {
            io.println(time + " " + change + " " + node.getPath() + " version=" + version + " "
                    + Payloads.text(node.getPath(), node.getData()));
        }
        if (io.out().checkError()) {
            io.stop().stop(); // stdout is gone (e.g. '| head' ended): nothing left to watch for
        }
    }
}
