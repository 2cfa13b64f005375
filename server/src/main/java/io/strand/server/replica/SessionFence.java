package io.strand.server.replica;

import io.strand.coordinator.MetadataCache;
import io.strand.coordinator.MetadataStore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * An isolated leader steps down. When the broker has been cut off from ZooKeeper for longer than its
 * session timeout (Curator's LOST: the session has expired, or must be taken to have), the
 * controller may already have given its leaderships to others; so it stops acting as leader of
 * everything at once (clients get NOT_LEADER_OR_FOLLOWER and go to the new leader instead of waiting
 * out their request timeout), and its Metadata answers stop naming itself, so that clients asking it
 * find the other brokers. When it is connected again (a new session), it reads every hosted
 * partition's state afresh and takes the role that state gives it: follower of a new leader
 * (truncating as needed), or leader again at the same epoch if nobody moved it.
 *
 * <p>Threading: Curator calls it on its event thread; the work runs on the replica-state thread.
 */
public final class SessionFence implements ConnectionStateListener {
    private final ReplicaManager replicas;
    private final MetadataCache cache;
    private final MetadataStore store;
    private volatile boolean lost;
    private final AtomicLong stepDowns = new AtomicLong();

    public SessionFence(ReplicaManager replicas, MetadataCache cache, MetadataStore store) {
        this.replicas = replicas;
        this.cache = cache;
        this.store = store;
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.LOST) {
            lost = true;
            stepDowns.incrementAndGet();
            // clients asking this broker for metadata must not be sent back to it
            cache.hideOwnRegistration(replicas.localBrokerId());
            replicas.stepDownEverywhere("ZooKeeper session lost: cut off for longer than zookeeper.session.timeout.ms,"
                    + " so the controller may have moved its leaderships");
        } else if (state == ConnectionState.RECONNECTED && lost) {
            lost = false;
            cache.showOwnRegistration();
            replicas.reapplyCurrentStates(store);
        }
    }

    /** Times this broker stepped down because its session was lost, since start. */
    public long stepDowns() {
        return stepDowns.get();
    }
}
