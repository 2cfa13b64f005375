/**
 * Strand's command-line tools: {@code strand topics create|list|describe}, {@code strand zk ls|get}
 * and {@code strand watch}. {@link io.strand.tools.StrandCli} dispatches the command words to one
 * small {@link io.strand.tools.Command} class each; JCommander parses that command's nested flags
 * class.
 *
 * <p>Exit codes: 0 ok, 1 the operation failed (unknown topic, topic exists, cluster unreachable),
 * 2 usage error. Every failure is one line on stderr; {@code --verbose} adds the stack trace.
 *
 * <p>Threading: a command runs on the calling thread, except {@code watch}, whose lines are
 * printed from Curator's single event thread while the calling thread waits for Ctrl-C.
 */
package io.strand.tools;
