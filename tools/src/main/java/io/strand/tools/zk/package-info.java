/**
 * Reading Strand's znodes: {@code strand zk ls|get} and {@code strand watch} (every change, live),
 * registered by {@link io.strand.tools.zk.ZkCommands}. Payloads are decoded from protobuf to JSON by
 * {@link io.strand.tools.zk.Payloads}; paths given on the command line are checked by {@link
 * io.strand.tools.zk.ZnodePaths}.
 *
 * <p>Threading: {@code zk ls|get} run on the calling thread; {@code watch} prints from Curator's
 * single event thread while the calling thread waits for Ctrl-C.
 */
package io.strand.tools.zk;
