package io.strand.tools.cli;

import java.lang.reflect.Proxy;

/**
 * Installs a handler for SIGINT (Ctrl-C) through {@code sun.misc.Signal} (module jdk.unsupported),
 * looked up reflectively so that the build carries no internal-API warning. Where the JVM does not
 * offer it, Ctrl-C keeps its default effect (exit code 130). The handler runs on the JVM's signal
 * thread.
 */
public final class SigInt {
    private SigInt() {}

    public static boolean install(Runnable onInterrupt) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("INT");
            Object handler = Proxy.newProxyInstance(
                    SigInt.class.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle" -> {
                                onInterrupt.run();
                                return null;
                            }
                            case "hashCode" -> {
                                return System.identityHashCode(proxy);
                            }
                            case "equals" -> {
                                return proxy == args[0];
                            }
                            case "toString" -> {
                                return "strand SIGINT handler";
                            }
                            default -> {
                                return null;
                            }
                        }
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
