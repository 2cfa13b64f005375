package io.strand.tools.launcher;

import java.nio.file.Path;

/**
 * One process of a local cluster: {@code zookeeper} or {@code broker-<i>}, with what identifies it
 * (the main class and the config file on its command line) and its pid and log files. Immutable.
 *
 * @param name {@code zookeeper} or {@code broker-<i>}: the name of its pid and log files
 * @param mainClass the main class its java command line holds
 * @param configFile the config file its java command line holds (this cluster's, absolute)
 */
record ClusterProcess(String name, String mainClass, Path configFile, Path pidFile, Path logFile) {
    /** "broker 2" for broker-2, "zookeeper" for zookeeper: how messages name it. */
    String pretty() {
        return name.startsWith("broker-") ? "broker " + name.substring("broker-".length()) : name;
    }
}
