package io.strand.coordinator.security;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * The ACL of every znode a Strand client creates with {@code zookeeper.set.acl=true}, by Kafka's
 * rules ({@code ZkData.defaultAcls}): the identity that creates it may do everything ({@code
 * auth} scheme: ZooKeeper records the creator's authenticated ids — its digest user, SASL principal
 * or certificate), and anyone may read it, except under the sensitive paths, which nobody else may
 * even read: {@code /config/users} (SCRAM credentials), {@code /config/brokers} (broker configs
 * that may hold passwords) and {@code /delegation_token/tokens}. The chroot and its parents get the
 * same default ACL, so a client without the credentials can create nothing under the chroot.
 *
 * <p>Curator asks with the full path, chroot included, except in transactions (multi), where it asks
 * with the path below its namespace; the rules apply to the path below the chroot either way.
 * Immutable; thread-safe.
 */
public final class ZnodeAcls implements ACLProvider {
    /** Parents of secrets, relative to the chroot: readable only by the creator (Kafka's {@code SensitiveRootPaths}). */
    public static final List<String> SENSITIVE_ROOTS =
            List.of("/config/users", "/config/brokers", "/delegation_token/tokens");

    // not List.copyOf: ZooKeeper asks contains(null), which immutable lists refuse
    private static final List<ACL> DEFAULT;
    private static final List<ACL> SENSITIVE =
            Collections.unmodifiableList(new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL));

    static {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        acl.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
        DEFAULT = Collections.unmodifiableList(acl);
    }

    /** The chroot with a leading slash and none at the end, or "" for none. */
    private final String chroot;

    /** @param chroot the chroot of {@code zookeeper.connect} (with or without a leading slash), or "" */
    public ZnodeAcls(String chroot) {
        String c = chroot == null ? "" : chroot.strip();
        while (c.endsWith("/")) {
            c = c.substring(0, c.length() - 1);
        }
        this.chroot = c.isEmpty() || c.startsWith("/") ? c : "/" + c;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return DEFAULT;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return sensitive(relative(path)) ? SENSITIVE : DEFAULT;
    }

    /** {@code path} below the chroot: a full path, or one already relative to it; "" for the chroot and its parents. */
    String relative(String path) {
        if (path == null) {
            return "";
        }
        if (chroot.isEmpty()) {
            return path;
        }
        if (path.equals(chroot)) {
            return "";
        }
        if (path.startsWith(chroot + "/")) {
            return path.substring(chroot.length());
        }
        if (chroot.startsWith(path + "/") || path.equals("/")) {
            return ""; // a parent of the chroot
        }
        // Curator's transactions ask with the path below the namespace, without the chroot
        return path;
    }

    /** A path (relative to the chroot) whose znodes hold secrets: one of {@link #SENSITIVE_ROOTS} or below one. */
    public static boolean sensitive(String relativePath) {
        for (String root : SENSITIVE_ROOTS) {
            if (relativePath.equals(root) || relativePath.startsWith(root + "/")) {
                return true;
            }
        }
        return false;
    }
}
