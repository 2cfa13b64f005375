package io.strand.coordinator.security;

import io.strand.coordinator.MetadataStoreException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a broker starts, that its ZooKeeper client may create and write znodes under the
 * chroot: the chroot's ACL grants CREATE and WRITE to anyone, or to one of the identities the client
 * authenticated as (its digest credentials, and what ZooKeeper's {@code whoAmI} reports for SASL and
 * TLS client certificates). Wrong credentials are otherwise noticed only at the
 * first write, as a bare NoAuth; here they stop the start with a message naming who may write and
 * who this client is (user names only: a digest id's hash is derived from the password and is not
 * shown).
 *
 * <p>A chroot that does not exist yet passes: this client will create it. With {@code zookeeper.set.acl=true} and a chroot open to anyone (a cluster created without
 * ACLs), it warns: the znodes created before keep their open ACLs.
 *
 * <p>Stateless; blocks on ZooKeeper.
 */
public final class ChrootWriteAccess {
    private static final Logger log = LoggerFactory.getLogger(ChrootWriteAccess.class);
    private static final int NEEDED = ZooDefs.Perms.CREATE | ZooDefs.Perms.WRITE;
    private static final Set<String> EXACT_SCHEMES = Set.of("digest", "sasl", "x509");

    private ChrootWriteAccess() {}

    /**
     * @param zk a started client whose namespace is the chroot
     * @param chroot the chroot, for messages ("" for none)
     * @throws MetadataStoreException if ZooKeeper would refuse this client's writes under the chroot
     */
    public static void require(CuratorFramework zk, String chroot, ZooKeeperClientOptions options) {
        String where = chroot.isEmpty() ? "the ZooKeeper root" : "/" + chroot;
        List<ACL> acl;
        List<ClientInfo> me;
        try {
            acl = zk.getACL().forPath("/");
            me = zk.getZookeeperClient().getZooKeeper().whoAmI();
        } catch (KeeperException.NoNodeException e) {
            return; // a new cluster: this client creates the chroot, with its own ACL
        } catch (KeeperException.NoAuthException e) {
            throw refused(where, List.of(), null, options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetadataStoreException("interrupted while checking the ACL of " + where, e);
        } catch (Exception e) {
            throw new MetadataStoreException("could not read the ACL of " + where + ": " + e, e);
        }
        // whoAmI names a digest identity by its user only, so the digest id is computed from the credentials
        Set<Id> identities = new HashSet<>();
        options.digestCredentials().ifPresent(d -> identities.add(new Id("digest", d.aclId())));
        boolean unknownIdentities = me == null;
        if (me != null) {
            for (ClientInfo c : me) {
                if (c.getAuthScheme().equals("super")) {
                    return;
                }
                if (!c.getAuthScheme().equals("digest")) {
                    identities.add(new Id(c.getAuthScheme(), c.getUser()));
                }
            }
        }
        boolean open = false;
        for (ACL a : acl) {
            if ((a.getPerms() & NEEDED) != NEEDED) {
                continue;
            }
            Id id = a.getId();
            if (id.equals(ZooDefs.Ids.ANYONE_ID_UNSAFE)) {
                open = true;
            } else if (identities.contains(id)) {
                return;
            } else if (!EXACT_SCHEMES.contains(id.getScheme())
                    || (unknownIdentities && !id.getScheme().equals("digest"))) {
                return; // ip ranges, a custom scheme, or a server without whoAmI: cannot judge here
            }
        }
        if (open) {
            if (options.setAcl() && !chroot.isEmpty()) {
                log.warn(
                        "zookeeper.set.acl is true but {} is open to anyone: znodes created before ACLs were set keep"
                                + " open ACLs (only new znodes are protected)",
                        where);
            }
            return;
        }
        throw refused(where, acl, me, options);
    }

    private static MetadataStoreException refused(
            String where, List<ACL> acl, List<ClientInfo> me, ZooKeeperClientOptions options) {
        String writers = acl.stream()
                .filter(a -> (a.getPerms() & NEEDED) == NEEDED)
                .map(a -> shown(a.getId().getScheme(), a.getId().getId()))
                .collect(Collectors.joining(", "));
        String self = me == null
                ? "unknown"
                : me.stream()
                        .filter(c -> !c.getAuthScheme().equals("ip"))
                        .map(c -> shown(c.getAuthScheme(), c.getUser()))
                        .collect(Collectors.joining(", "));
        String hint = options.digestCredentials()
                .map(d -> "check " + ZooKeeperSecuritySettingsDefinition.ZK_DIGEST_CREDENTIALS_FILE + " (" + d
                        + "; a wrong password reads as another identity)")
                .orElse("configure the identity that created the cluster's znodes ("
                        + ZooKeeperSecuritySettingsDefinition.ZK_DIGEST_CREDENTIALS_FILE
                        + ", a JAAS Client section or a TLS client certificate)");
        return new MetadataStoreException("ZooKeeper would refuse this broker's writes under " + where
                + " (NoAuth): only " + (writers.isEmpty() ? "other identities" : writers) + " may write there, and"
                + " this client is " + (self.isEmpty() ? "unauthenticated" : self) + "; " + hint);
    }

    /** scheme:id, with a digest id shown by its user name only. */
    private static String shown(String scheme, String id) {
        if (scheme.equals("digest")) {
            int colon = id.indexOf(':');
            return "digest user '" + (colon < 0 ? id : id.substring(0, colon)) + "'";
        }
        return scheme + ":" + id;
    }
}
