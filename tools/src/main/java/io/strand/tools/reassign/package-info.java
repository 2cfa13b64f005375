/**
 * Where replicas and leaders are placed: {@code strand reassign generate|execute|status|cancel}
 * (move replicas with a plan in Kafka's format, {@link io.strand.tools.reassign.ReassignmentPlan})
 * and {@code strand elect-leaders} (move leadership back to the preferred replica), registered by
 * {@link io.strand.tools.reassign.ReassignCommands}.
 *
 * <p>Leader election lives here rather than beside topics: the preferred leader is the first
 * replica of the list a reassignment sets, electing it is the step that follows a reassignment, and
 * both read the current replica lists the same way ({@link
 * io.strand.tools.reassign.CurrentReplicas}). Kafka, too, keeps the two together as partition
 * operations apart from topic creation.
 */
package io.strand.tools.reassign;
