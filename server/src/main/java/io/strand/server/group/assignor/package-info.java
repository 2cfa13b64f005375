/**
 * Server-side partition assignors: {@link io.strand.server.group.assignor.UniformAssignor}
 * ({@code "uniform"}, the default) and {@link io.strand.server.group.assignor.RangeAssignor}
 * ({@code "range"}) for KIP-848 consumer groups, and
 * {@link io.strand.server.group.assignor.SimpleShareAssignor} ({@code "simple"}) for KIP-932 share
 * groups, found through {@link io.strand.server.group.assignor.Assignors}. Each turns the group's
 * members ({@link io.strand.server.group.assignor.MemberSpec}: subscription and current target
 * assignment) and the topics that exist ({@link io.strand.server.group.assignor.TopicInfo}) into a
 * new target assignment, following the semantics of Kafka's assignors of the same names.
 *
 * <p>Threading: the assignors are stateless and thread-safe; every call works only on its own
 * locals and returns immutable maps, so one instance serves every coordinator thread.
 */
package io.strand.server.group.assignor;
