package io.strand.server.security;

import io.strand.coordinator.MetadataStore;
import io.strand.server.AuthorizerSettingsDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.AclDeleteResult.AclBindingDeleteResult;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;
import org.apache.kafka.server.authorizer.AuthorizerServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Strand's authorizer: Kafka's {@link Authorizer} over the ACLs stored in ZooKeeper ({@link AclStore}),
 * with the semantics of Kafka's {@code AclAuthorizer}: super users ({@code super.users}) may do anything;
 * otherwise the ACLs of the resource decide ({@link AclIndex}: deny beats allow, wildcard and prefixed
 * patterns, implied operations); a resource without any ACL is allowed only with
 * {@code allow.everyone.if.no.acl.found=true}. Every decision goes to the audit log
 * ({@link AuthorizationAudit}).
 *
 * <p>The broker keeps every ACL in memory: {@link #open} loads them, and a ZooKeeper watch on the change
 * notifications ({@link AclChangeListener}) re-reads each pattern another broker changes. ACL changes
 * made here (CreateAcls, DeleteAcls) are written to ZooKeeper with a change notification and applied to
 * the cache before their result completes.
 *
 * <p>Thread-safe: {@link #authorize} and {@link #acls} read an immutable snapshot; every write and every
 * notification runs on one update thread, in order.
 */
public final class ZkAclAuthorizer implements Authorizer {
    private static final Logger log = LoggerFactory.getLogger(ZkAclAuthorizer.class);

    private final AclStore store;
    private final ExecutorService updates =
            Executors.newSingleThreadExecutor(ThreadUtils.createThreadFactory("strand-acl-updates", true));
    private final AclChangeListener listener;

    private volatile Set<KafkaPrincipal> superUsers;
    private volatile boolean allowEveryoneIfNoAclFound;
    /** Written only on the update thread; read anywhere. */
    private volatile AclIndex index = AclIndex.EMPTY;

    private volatile boolean opened;

    public ZkAclAuthorizer(MetadataStore metadataStore, AuthorizerConfig config) {
        this(metadataStore, config, System::currentTimeMillis);
    }

    /** With the wall clock {@code clockMs} (tests move it to age the change notifications). */
    ZkAclAuthorizer(MetadataStore metadataStore, AuthorizerConfig config, java.util.function.LongSupplier clockMs) {
        this.store = new AclStore(metadataStore);
        this.superUsers = config.superUsers();
        this.allowEveryoneIfNoAclFound = config.allowEveryoneIfNoAclFound();
        this.listener =
                new AclChangeListener(store, metadataStore.curator(), updates, this::reread, this::reloadAll, clockMs);
    }

    /**
     * Kafka's configuration entry point: takes {@code super.users} and {@code allow.everyone.if.no.acl.found}
     * from {@code configs} where present (the constructor already had them from the broker's settings).
     */
    @Override
    public void configure(Map<String, ?> configs) {
        Object su = configs.get(AuthorizerSettingsDefinition.SUPER_USERS);
        if (su != null) {
            superUsers = AuthorizerConfig.parseSuperUsers(su.toString());
        }
        Object allow = configs.get(AuthorizerSettingsDefinition.ALLOW_EVERYONE_IF_NO_ACL_FOUND);
        if (allow != null) {
            allowEveryoneIfNoAclFound = Boolean.parseBoolean(allow.toString().trim());
        }
    }

    /**
     * Creates the ACL znodes' parents if absent, sets the change watches, then loads every ACL; returns
     * once the cache is complete.
     *
     * @throws io.strand.coordinator.MetadataStoreException if ZooKeeper fails
     */
    public ZkAclAuthorizer open() throws InterruptedException {
        if (opened) {
            return this;
        }
        try {
            updates.submit(() -> {
                        store.ensurePaths();
                        // watches first, then the load: nothing changed in between goes unseen
                        listener.start();
                        reloadAll();
                        return null;
                    })
                    .get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        opened = true;
        log.info(
                "ACL authorizer ready: {} ACLs on {} resource patterns, super users {}, allow.everyone.if.no.acl.found={}",
                index.size(),
                index.patterns().size(),
                superUsers,
                allowEveryoneIfNoAclFound);
        return this;
    }

    @Override
    public Map<Endpoint, ? extends CompletionStage<Void>> start(AuthorizerServerInfo serverInfo) {
        try {
            open();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the ACLs", e);
        }
        Map<Endpoint, CompletableFuture<Void>> ready = new LinkedHashMap<>();
        for (Endpoint e : serverInfo.endpoints()) {
            ready.put(e, CompletableFuture.completedFuture(null));
        }
        return ready;
    }

    /** On the update thread: the whole cache from ZooKeeper. */
    private void reloadAll() {
        index = AclIndex.of(store.loadAll());
    }

    /** On the update thread: one pattern's entries from ZooKeeper (a change notification named it). */
    private void reread(ResourcePattern pattern) {
        Set<AccessControlEntry> entries = store.read(pattern).value();
        index = index.with(pattern, entries);
        log.info("ACLs of {} changed: now {}", pattern, entries);
    }

    @Override
    public List<AuthorizationResult> authorize(AuthorizableRequestContext ctx, List<Action> actions) {
        KafkaPrincipal principal = basePrincipal(ctx.principal());
        String host = ctx.clientAddress() == null ? null : ctx.clientAddress().getHostAddress();
        AclIndex snapshot = index;
        List<AuthorizationResult> results = new ArrayList<>(actions.size());
        for (Action action : actions) {
            ResourcePattern resource = action.resourcePattern();
            if (resource.patternType() != PatternType.LITERAL) {
                throw new IllegalArgumentException(
                        "Only literal resources are supported. Got: " + resource.patternType());
            }
            boolean allowed;
            String rule;
            if (superUsers.contains(principal)) {
                allowed = true;
                rule = "SuperUser";
            } else {
                AclIndex.Decision d =
                        snapshot.decide(principal, host, action.operation(), resource.resourceType(), resource.name());
                switch (d.match()) {
                    case ALLOWED, DENIED -> {
                        allowed = d.allowed();
                        rule = "MatchingAcl(acl=" + d.rule() + ")";
                    }
                    case NO_ACLS -> {
                        allowed = allowEveryoneIfNoAclFound;
                        rule = allowed ? "DefaultAllow" : "DefaultDeny";
                    }
                    default -> {
                        allowed = false;
                        rule = "DefaultDeny";
                    }
                }
            }
            AuthorizationAudit.log(principal, ctx, action, allowed, rule);
            results.add(allowed ? AuthorizationResult.ALLOWED : AuthorizationResult.DENIED);
        }
        return results;
    }

    /** The principal as a plain {@link KafkaPrincipal}, so that a subclass compares equal to the ACLs' one. */
    private static KafkaPrincipal basePrincipal(KafkaPrincipal p) {
        return p.getClass() == KafkaPrincipal.class ? p : new KafkaPrincipal(p.getPrincipalType(), p.getName());
    }

    @Override
    public List<? extends CompletionStage<AclCreateResult>> createAcls(
            AuthorizableRequestContext ctx, List<AclBinding> bindings) {
        List<CompletableFuture<AclCreateResult>> results = new ArrayList<>();
        Map<ResourcePattern, List<Integer>> byPattern = new LinkedHashMap<>();
        for (int i = 0; i < bindings.size(); i++) {
            CompletableFuture<AclCreateResult> result = new CompletableFuture<>();
            results.add(result);
            try {
                AclValidation.validateNew(bindings.get(i));
                byPattern
                        .computeIfAbsent(bindings.get(i).pattern(), p -> new ArrayList<>())
                        .add(i);
            } catch (ApiException | IllegalArgumentException e) {
                result.complete(new AclCreateResult(
                        e instanceof ApiException a ? a : new InvalidRequestException(e.getMessage(), e)));
            }
        }
        if (byPattern.isEmpty()) {
            return results;
        }
        runOnUpdateThread(
                () -> {
                    for (Map.Entry<ResourcePattern, List<Integer>> e : byPattern.entrySet()) {
                        try {
                            AclStore.Change change = store.update(e.getKey(), current -> {
                                for (int i : e.getValue()) {
                                    current.add(bindings.get(i).entry());
                                }
                                return current;
                            });
                            index = index.with(e.getKey(), change.after());
                            if (!change.before().equals(change.after())) {
                                log.info("ACLs of {} created: now {}", e.getKey(), change.after());
                            }
                            e.getValue().forEach(i -> results.get(i).complete(AclCreateResult.SUCCESS));
                        } catch (RuntimeException failure) {
                            log.warn("Could not create ACLs on {}: {}", e.getKey(), failure.toString(), failure);
                            ApiException error = apiException(failure);
                            e.getValue().forEach(i -> results.get(i).complete(new AclCreateResult(error)));
                        }
                    }
                },
                failure -> results.forEach(r -> r.complete(new AclCreateResult(apiException(failure)))));
        return results;
    }

    /**
     * Deletes every stored ACL a filter matches (an ACL matched by several filters is reported under the
     * first). The patterns examined are those in the cache, plus, for a filter naming exactly one pattern,
     * that pattern as stored in ZooKeeper (so an ACL created on another broker a moment ago is found).
     */
    @Override
    public List<? extends CompletionStage<AclDeleteResult>> deleteAcls(
            AuthorizableRequestContext ctx, List<AclBindingFilter> filters) {
        List<CompletableFuture<AclDeleteResult>> results = new ArrayList<>();
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < filters.size(); i++) {
            CompletableFuture<AclDeleteResult> result = new CompletableFuture<>();
            results.add(result);
            try {
                AclValidation.validateFilter(filters.get(i));
                valid.add(i);
            } catch (ApiException e) {
                result.complete(new AclDeleteResult(e));
            }
        }
        if (valid.isEmpty()) {
            return results;
        }
        runOnUpdateThread(
                () -> {
                    List<Set<AclBindingDeleteResult>> deleted = new ArrayList<>();
                    filters.forEach(f -> deleted.add(new LinkedHashSet<>()));
                    for (ResourcePattern pattern : candidates(filters, valid)) {
                        List<Integer> matching = valid.stream()
                                .filter(i -> filters.get(i).patternFilter().matches(pattern))
                                .toList();
                        if (!matching.isEmpty()) {
                            deleteFrom(pattern, filters, matching, deleted);
                        }
                    }
                    valid.forEach(i -> results.get(i).complete(new AclDeleteResult(deleted.get(i))));
                },
                failure -> valid.forEach(i -> results.get(i).complete(new AclDeleteResult(apiException(failure)))));
        return results;
    }

    private Set<ResourcePattern> candidates(List<AclBindingFilter> filters, List<Integer> valid) {
        Set<ResourcePattern> patterns = new LinkedHashSet<>(index.patterns());
        for (int i : valid) {
            ResourcePatternFilter f = filters.get(i).patternFilter();
            if (!f.matchesAtMostOne()) {
                continue;
            }
            if (f.patternType() == PatternType.LITERAL || f.patternType() == PatternType.PREFIXED) {
                patterns.add(new ResourcePattern(f.resourceType(), f.name(), f.patternType()));
            }
        }
        return patterns;
    }

    /** On the update thread: removes from {@code pattern} the entries the {@code matching} filters match. */
    private void deleteFrom(
            ResourcePattern pattern,
            List<AclBindingFilter> filters,
            List<Integer> matching,
            List<Set<AclBindingDeleteResult>> deleted) {
        try {
            AclStore.Change change = store.update(pattern, current -> {
                current.removeIf(entry -> firstMatching(filters, matching, new AclBinding(pattern, entry)) >= 0);
                return current;
            });
            index = index.with(pattern, change.after());
            Set<AccessControlEntry> gone = new HashSet<>(change.before());
            gone.removeAll(change.after());
            for (AccessControlEntry entry : gone) {
                AclBinding binding = new AclBinding(pattern, entry);
                deleted.get(firstMatching(filters, matching, binding)).add(new AclBindingDeleteResult(binding));
            }
            if (!gone.isEmpty()) {
                log.info("ACLs of {} deleted: {}; now {}", pattern, gone, change.after());
            }
        } catch (RuntimeException failure) {
            log.warn("Could not delete ACLs of {}: {}", pattern, failure.toString(), failure);
            ApiException error = apiException(failure);
            for (AccessControlEntry entry : index.entries(pattern)) {
                AclBinding binding = new AclBinding(pattern, entry);
                int i = firstMatching(filters, matching, binding);
                if (i >= 0) {
                    deleted.get(i).add(new AclBindingDeleteResult(binding, error));
                }
            }
        }
    }

    private static int firstMatching(List<AclBindingFilter> filters, List<Integer> matching, AclBinding binding) {
        for (int i : matching) {
            if (filters.get(i).entryFilter().matches(binding.entry())) {
                return i;
            }
        }
        return -1;
    }

    private void runOnUpdateThread(Runnable task, java.util.function.Consumer<Throwable> onRejected) {
        try {
            updates.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    onRejected.accept(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            onRejected.accept(new IllegalStateException("the authorizer is closed", e));
        }
    }

    private static ApiException apiException(Throwable e) {
        return e instanceof ApiException a ? a : new UnknownServerException(e.toString(), e);
    }

    @Override
    public Iterable<AclBinding> acls(AclBindingFilter filter) {
        return index.acls(filter);
    }

    @Override
    public int aclCount() {
        return index.size();
    }

    @Override
    public void close() {
        listener.close();
        updates.shutdownNow();
        try {
            updates.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
