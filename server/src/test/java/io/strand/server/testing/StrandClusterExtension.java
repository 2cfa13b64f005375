package io.strand.server.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The cluster extension (in the manner of Kroxylicious' {@code KafkaClusterExtension}): starts a
 * real ZooKeeper and the brokers a {@link BrokerCluster} annotation describes, hands the cluster
 * to the test, and always stops what it started, also when the test fails; then it fails the test
 * if Netty reported a leaked buffer ({@link NettyLeaks}).
 *
 * <ul>
 *   <li>A test method's parameter of type {@link StrandTestCluster} (in-process brokers) or {@link
 *       ProcessTestCluster} (brokers as child JVMs) gets a cluster of its own, stopped after that
 *       test.
 *   <li>A static field of one of those types annotated {@link BrokerCluster} gets one cluster for
 *       the whole class, started before {@code @BeforeAll} methods run and stopped after the last
 *       test.
 * </ul>
 *
 * <p>Without an annotation a parameter gets one broker with the test defaults.
 *
 * <p>Threading: JUnit calls it on the thread running the test class.
 */
public final class StrandClusterExtension
        implements ParameterResolver, BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(StrandClusterExtension.class);

    static {
        NettyLeaks.install();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type != StrandTestCluster.class && type != ProcessTestCluster.class) {
            return false;
        }
        if (!(parameter.getDeclaringExecutable() instanceof Method)) {
            throw new ParameterResolutionException("a cluster goes into a test method's parameter or a static field "
                    + "annotated @BrokerCluster, not into a constructor");
        }
        return true;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        BrokerCluster spec = parameter.findAnnotation(BrokerCluster.class).orElse(null);
        try {
            return started(context).start(parameter.getParameter().getType(), spec);
        } catch (Exception e) {
            throw new ParameterResolutionException("could not start the cluster for " + context.getDisplayName(), e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Started started = started(context);
        for (Field field : clusterFields(context.getRequiredTestClass())) {
            field.setAccessible(true);
            field.set(null, started.start(field.getType(), field.getAnnotation(BrokerCluster.class)));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Started started = context.getStore(NAMESPACE).remove(context.getUniqueId(), Started.class);
        if (started != null) {
            started.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Started started = context.getStore(NAMESPACE).remove(context.getUniqueId(), Started.class);
        try {
            if (started != null) {
                started.close();
            }
        } finally {
            for (Field field : clusterFields(context.getRequiredTestClass())) {
                field.setAccessible(true);
                field.set(null, null);
            }
        }
    }

    private static Started started(ExtensionContext context) {
        // keyed by the context's own id: a method's clusters are not its class's
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(context.getUniqueId(), id -> new Started(describe(context)), Started.class);
    }

    /** "ClassName" or "ClassName.method(…)" for messages. */
    private static String describe(ExtensionContext context) {
        String cls = context.getTestClass().map(Class::getSimpleName).orElse("");
        return context.getTestMethod().isPresent() ? cls + " " + context.getDisplayName() : cls;
    }

    private static List<Field> clusterFields(Class<?> testClass) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!f.isAnnotationPresent(BrokerCluster.class)) {
                    continue;
                }
                if (!Modifier.isStatic(f.getModifiers())
                        || (f.getType() != StrandTestCluster.class && f.getType() != ProcessTestCluster.class)) {
                    throw new ExtensionConfigurationException("@BrokerCluster field " + f
                            + " must be static and a StrandTestCluster or a ProcessTestCluster");
                }
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The clusters one test (or one class) started, stopped in reverse order by {@link #close()}
     * (from afterEach / afterAll; JUnit also closes it with its context as a backstop).
     */
    private static final class Started implements AutoCloseable {
        private final String owner;
        private final Deque<AutoCloseable> clusters = new ArrayDeque<>();
        private boolean closed;

        Started(String owner) {
            this.owner = owner;
        }

        synchronized AutoCloseable start(Class<?> type, BrokerCluster spec) throws Exception {
            int brokers = spec == null ? 1 : spec.brokers();
            Map<String, String> properties = spec == null ? Map.of() : properties(spec.properties());
            int zookeeperServers = spec == null ? 1 : spec.zookeeperServers();
            AutoCloseable cluster;
            if (type == ProcessTestCluster.class) {
                if (zookeeperServers != 1) {
                    throw new ExtensionConfigurationException("child-JVM clusters run on one ZooKeeper server");
                }
                cluster = new ProcessTestCluster(brokers, properties);
            } else {
                cluster = StrandTestCluster.start(brokers, properties, zookeeperServers);
            }
            clusters.push(cluster);
            return cluster;
        }

        private static Map<String, String> properties(String[] pairs) {
            Map<String, String> out = new HashMap<>();
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ExtensionConfigurationException(
                            "@BrokerCluster property '" + pair + "' is not name=value");
                }
                out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
            return out;
        }

        /** Stops every cluster (newest first), then checks for Netty leaks; throws the first failure. */
        @Override
        public synchronized void close() throws Exception {
            if (closed) {
                return;
            }
            closed = true;
            Exception failure = null;
            while (!clusters.isEmpty()) {
                try {
                    clusters.pop().close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            try {
                NettyLeaks.check("found after " + owner, List.of());
            } catch (AssertionError leak) {
                if (failure != null) {
                    leak.addSuppressed(failure);
                }
                throw leak;
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
