/**
 * {@code strand groups list|describe|reset-offsets}: consumer groups, their committed offsets and
 * lag, through a broker (Kafka's Admin API). Registered by {@link
 * io.strand.tools.groups.GroupsCommands}.
 */
package io.strand.tools.groups;
