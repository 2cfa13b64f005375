package io.strand.tools.launcher;

import java.io.File;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The classpath this test JVM runs with, without the test classes (the {@code target/test-classes}
 * directories and test jars): what the scripts under test get in place of the built jars, so that
 * the JVMs they start see the same classes as a user's, and logback finds one configuration
 * (the tools' own, or the file the script names) instead of the tests' {@code logback-test.xml}s.
 */
public final class TestClasspath {
    private TestClasspath() {}

    public static String runtime() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isEmpty())
                .filter(s -> !s.endsWith("test-classes") && !s.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
