package io.strand.tools.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts, finds and stops the processes of a local cluster.
 *
 * <p><b>Identity.</b> A process's pid is recorded in its pid file, but a pid file outlives its process
 * and the pid may be reused by anything. A recorded pid therefore counts as the cluster's process only
 * while {@link ProcessHandle.Info} shows a {@code java} executable whose arguments hold the process's
 * main class and this cluster's config file ({@link #isOurs}); nothing else is ever signalled. The
 * scripts that run these JVMs pass the classpath in {@code CLASSPATH}, which keeps the command line
 * short: the JDK reads at most one page of it, and a longer one shows no arguments, so it never
 * matches.
 *
 * <p><b>Detaching.</b> A process is started through {@code setsid} (when on the PATH) from the
 * launch scripts {@code bin/strand-zookeeper} and {@code bin/strand-broker}: in a session of its own,
 * with stdin from /dev/null and stdout and stderr appended to its log, it outlives the launcher and
 * does not get the terminal's Ctrl-C. The script writes its pid to {@code STRAND_PID_FILE} and execs
 * java, so the recorded pid is the JVM's.
 *
 * <p>Used by one command on the calling thread.
 */
final class ProcessControl {
    private static final long PID_FILE_WAIT_MS = 10_000;
    private static final long POLL_MS = 100;
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Console console;

    ProcessControl(Console console) {
        this.console = console;
    }

    /** The running process of {@code p}, per its pid file and {@link #isOurs}. */
    Optional<ProcessHandle> running(ClusterProcess p) {
        return recordedPid(p).flatMap(ProcessHandle::of).filter(h -> isOurs(h, p));
    }

    /** Whether {@code h} is a live java process running {@code p}'s main class with {@code p}'s config file. */
    static boolean isOurs(ProcessHandle h, ClusterProcess p) {
        if (!h.isAlive()) {
            return false;
        }
        ProcessHandle.Info info = h.info();
        boolean java = info.command()
                .map(c -> {
                    Path name = Path.of(c).getFileName();
                    return name != null && name.toString().equals("java");
                })
                .orElse(false);
        List<String> args = info.arguments().map(List::of).orElse(List.of());
        return java
                && args.contains(p.mainClass())
                && args.contains(p.configFile().toString());
    }

    private static Optional<Long> recordedPid(ClusterProcess p) {
        try {
            String s = Files.readString(p.pidFile(), StandardCharsets.US_ASCII).strip();
            return ClusterLayout.uint(s).map(Integer::longValue);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A process this launcher started: its recorded pid and what {@code ProcessBuilder} returned. */
    record Launched(long pid, Process process) {}

    /**
     * Starts {@code script config} detached, appending its output to {@code p}'s log, and records its
     * pid (the one the script writes, else the started process's).
     */
    Launched launch(ClusterProcess p, Path script, Map<String, String> environment) throws IOException {
        Files.deleteIfExists(p.pidFile());
        Files.writeString(
                p.logFile(),
                "\n===== " + LocalDateTime.now().format(LOG_TIME) + ": strand-cluster starts " + p.name() + " =====\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        List<String> command = new ArrayList<>();
        setsid().ifPresent(s -> command.add(s.toString()));
        command.add(script.toString());
        command.add(p.configFile().toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(p.logFile().toFile()))
                .redirectErrorStream(true);
        pb.environment().putAll(environment);
        pb.environment().put("STRAND_PID_FILE", p.pidFile().toString());
        // the cluster's ZooKeeper runs the cfg in the cluster dir as it is
        pb.environment().remove("STRAND_ZK_DATA_DIR");
        pb.environment().remove("STRAND_ZK_MYID");
        Process process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PID_FILE_WAIT_MS);
        Optional<Long> pid = Optional.empty();
        while (System.nanoTime() < deadline) {
            pid = completePid(p);
            if (pid.isPresent() || !process.isAlive()) {
                break;
            }
            sleep(POLL_MS);
        }
        if (pid.isEmpty()) {
            pid = completePid(p);
        }
        if (pid.isEmpty()) {
            pid = Optional.of(process.pid());
            Files.writeString(p.pidFile(), process.pid() + "\n", StandardCharsets.US_ASCII);
        }
        return new Launched(pid.get(), process);
    }

    /** The pid in the pid file once the script has written it whole (a line ending in a newline). */
    private static Optional<Long> completePid(ClusterProcess p) {
        try {
            String s = Files.readString(p.pidFile(), StandardCharsets.US_ASCII);
            return s.endsWith("\n") ? ClusterLayout.uint(s.strip()).map(Integer::longValue) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** setsid(1) from the PATH: util-linux has it on every Linux; without it processes start in our session. */
    private static Optional<Path> setsid() {
        String path = System.getenv("PATH");
        for (String d : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(d, "setsid");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code p} has ended since {@code launched} started it: its recorded pid is not ours any
     * more and the process we started is gone too (before the script execs java, its pid shows the
     * shell; with a setsid that forks, the JVM has another pid than the started process).
     */
    boolean exited(ClusterProcess p, Launched launched) {
        return running(p).isEmpty() && (launched == null || !launched.process().isAlive());
    }

    /**
     * Stops each running process of {@code processes}: SIGTERM to all, waits for them, and sends
     * SIGKILL to what still runs after {@code timeoutSeconds}. Removes their pid files; a stale pid
     * file is removed and its pid left alone.
     *
     * @return false when a process did not stop (its pid file stays)
     */
    boolean stop(int timeoutSeconds, List<ClusterProcess> processes) {
        List<ClusterProcess> stopping = new ArrayList<>();
        List<ProcessHandle> handles = new ArrayList<>();
        for (ClusterProcess p : processes) {
            Optional<ProcessHandle> h = running(p);
            if (h.isPresent()) {
                h.get().destroy();
                console.say(p.pretty() + ": stopping (pid " + h.get().pid() + ")");
                stopping.add(p);
                handles.add(h.get());
            } else {
                if (Files.exists(p.pidFile())) {
                    console.say(p.pretty() + ": not running");
                }
                deleteQuietly(p.pidFile());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (anyOurs(stopping, handles)) {
            if (System.nanoTime() - deadline >= 0) {
                for (int i = 0; i < stopping.size(); i++) {
                    if (isOurs(handles.get(i), stopping.get(i))) {
                        console.say(stopping.get(i).pretty() + ": still running after " + timeoutSeconds
                                + "s, sending SIGKILL (pid " + handles.get(i).pid() + ")");
                        handles.get(i).destroyForcibly();
                    }
                }
                sleep(500);
                break;
            }
            sleep(200);
        }
        for (int i = 0; i < stopping.size(); i++) {
            ClusterProcess p = stopping.get(i);
            if (isOurs(handles.get(i), p)) {
                console.error(p.pretty() + " (pid " + handles.get(i).pid() + ") did not stop");
                return false;
            }
            deleteQuietly(p.pidFile());
            console.say(p.pretty() + ": stopped");
        }
        return true;
    }

    private static boolean anyOurs(List<ClusterProcess> processes, List<ProcessHandle> handles) {
        for (int i = 0; i < processes.size(); i++) {
            if (isOurs(handles.get(i), processes.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a pid file that cannot be removed is checked by its command line next time
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
