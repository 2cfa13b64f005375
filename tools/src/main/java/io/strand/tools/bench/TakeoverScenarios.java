package io.strand.tools.bench;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import io.strand.coordinator.controller.Controller;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Leader re-election at scale, on three {@link SimulatedBroker}s over {@link ScaleTopics}:
 *
 * <ul>
 *   <li><b>lost-broker</b>: a broker that is not the controller loses its session; the running
 *       controller re-elects every leader it had.
 *   <li><b>takeover</b>: the controller's broker loses its session; another broker (its cache already
 *       loaded, as every broker's is) wins the election and re-elects every leader of the lost one.
 *   <li><b>cold-takeover</b>: as takeover, but no other broker process runs when the controller's
 *       session ends; one then starts, loads the whole cluster from nothing, wins and re-elects.
 * </ul>
 *
 * Each round is measured from the session close to the last new leader written (the controller's own
 * timing) and to every leader visible in the new controller's cache (polled every 20 ms); then the
 * lost broker comes back, rejoins every ISR and gets its preferred leaderships back, so that the next
 * round starts from a balanced cluster again.
 *
 * <p>Not thread-safe: driven by the benchmark's thread.
 */
final class TakeoverScenarios implements AutoCloseable {
    private final String connect;
    private final ScaleTopics topics;
    private final Map<Integer, SimulatedBroker> brokers = new TreeMap<>();

    TakeoverScenarios(String connect, ScaleTopics topics) {
        this.connect = connect;
        this.topics = topics;
    }

    /** Registers brokers 1-3 and creates the topics (no broker process runs yet). */
    void register() {
        for (int id = 1; id <= 3; id++) {
            brokers.put(id, SimulatedBroker.register(connect, id));
        }
        long t0 = System.nanoTime();
        topics.create(new MetadataStore(brokers.get(1).session));
        System.out.printf(
                Locale.ROOT,
                "created %d partitions in %d topics in %d ms%n",
                topics.partitions,
                topics.topics(),
                ms(t0));
    }

    /** Starts every broker's process, broker {@code first} first (it becomes the controller). */
    void startAll(int first) throws Exception {
        long t0 = System.nanoTime();
        brokers.get(first).startProcess();
        waitFor(() -> brokers.get(first).controller().isActive(), "broker " + first + " controller");
        for (SimulatedBroker b : brokers.values()) {
            if (!b.running()) {
                b.startProcess();
            }
        }
        System.out.printf(Locale.ROOT, "brokers started (controller %d) in %d ms%n", first, ms(t0));
    }

    /** One round of {@code scenario}; returns {close→last leader, controller start→last leader, close→visible} in ms. */
    long[] round(String scenario) throws Exception {
        SimulatedBroker controller = activeController();
        SimulatedBroker victim = scenario.equals("lost-broker")
                ? brokers.values().stream()
                        .filter(b -> b != controller && (topics.balanced || b.id == 1))
                        .findFirst()
                        .orElseThrow()
                : controller;
        int leads = topics.ledBy(controller.cache(), victim.id);
        boolean cold = scenario.equals("cold-takeover");
        if (cold) {
            brokers.values().stream().filter(b -> b != victim).forEach(SimulatedBroker::stopProcess);
        }
        List<SimulatedBroker> survivors =
                brokers.values().stream().filter(b -> b != victim).toList();
        Map<Integer, Controller.BrokerChangeStats> before = new TreeMap<>();
        survivors.stream()
                .filter(SimulatedBroker::running)
                .forEach(b -> before.put(b.id, b.controller().lastBrokerChange()));
        victim.stopProcess();
        long t0 = System.nanoTime();
        victim.session.close(); // registration (and /controller, if held) vanish at once
        brokers.remove(victim.id);
        long started = t0;
        if (cold) {
            SimulatedBroker next = survivors.get(0);
            started = System.nanoTime();
            next.startProcess();
            System.out.printf(Locale.ROOT, "  cold: cache of broker %d loaded in %d ms%n", next.id, ms(started));
        }
        SimulatedBroker[] winner = new SimulatedBroker[1];
        waitFor(
                () -> {
                    for (SimulatedBroker b : survivors) {
                        if (b.running()
                                && b.controller().isActive()
                                && b.controller().lastBrokerChange() != before.get(b.id)
                                && b.controller().lastBrokerChange().leadersElected() > 0) {
                            winner[0] = b;
                            return true;
                        }
                    }
                    return false;
                },
                "new leaders written");
        Controller.BrokerChangeStats s = winner[0].controller().lastBrokerChange();
        long toLastLeader = (s.startedNanos() - t0) / 1_000_000 + s.leadersMillis();
        MetadataCache observer = winner[0].cache();
        int lost = victim.id;
        waitFor(() -> topics.every(observer, p -> p.leader() >= 0 && p.leader() != lost), "leaders visible");
        long visible = ms(t0);
        long fromStart = (s.startedNanos() - started) / 1_000_000 + s.leadersMillis();
        System.out.printf(
                Locale.ROOT,
                "  %s: broker %d (leading %d) lost; broker %d controls from %d ms after the close: %d new"
                        + " leaders, %d states written; last leader written %d ms after the close (%d ms after %s),"
                        + " all states %d ms after it began; every leader visible in its cache %d ms after the"
                        + " close%n",
                scenario,
                lost,
                leads,
                winner[0].id,
                (s.startedNanos() - t0) / 1_000_000,
                s.leadersElected(),
                s.statesWritten(),
                toLastLeader,
                fromStart,
                cold ? "its process started" : "it noticed",
                s.millis(),
                visible);
        restore(lost, winner[0]);
        return new long[] {toLastLeader, fromStart, visible};
    }

    /** Brings broker {@code id} back, into every ISR, and leading its preferred partitions again. */
    private void restore(int id, SimulatedBroker controller) throws Exception {
        long t0 = System.nanoTime();
        for (SimulatedBroker b : brokers.values()) {
            if (!b.running()) {
                b.startProcess();
            }
        }
        MetadataCache cache = controller.cache();
        waitFor(() -> topics.every(cache, p -> !p.isr().contains(id)), "broker " + id + " out of every ISR");
        SimulatedBroker back = SimulatedBroker.register(connect, id);
        brokers.put(id, back);
        back.startProcess();
        topics.addToEveryIsr(new MetadataStore(controller.session), cache, id);
        waitFor(() -> topics.every(cache, p -> p.isr().contains(id)), "broker " + id + " in every ISR");
        controller.controller().electPreferredLeaders(null).get();
        for (SimulatedBroker b : brokers.values()) {
            waitFor(
                    () -> topics.every(
                            b.cache(), p -> p.leader() == p.replicas().get(0)),
                    "preferred leaders");
        }
        System.out.printf(Locale.ROOT, "  (broker %d restored in %d ms)%n", id, ms(t0));
    }

    private SimulatedBroker activeController() {
        return brokers.values().stream()
                .filter(b -> b.running() && b.controller().isActive())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no active controller"));
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 600_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timed out: " + what);
            }
            Thread.sleep(20);
        }
    }

    static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    @Override
    public void close() {
        new ArrayList<>(brokers.values()).forEach(SimulatedBroker::close);
        brokers.clear();
    }
}
