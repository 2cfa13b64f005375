package io.strand.tools.cli;

import java.util.function.Supplier;

/**
 * A command as a group class registers it: its words on the command line ({@code "topics create"},
 * {@code "watch"}), the one-line description {@code strand --help} prints, and how to make a fresh
 * instance for a run. Immutable.
 */
public record CommandSpec(String name, String description, Supplier<? extends Command<?>> factory) {}
