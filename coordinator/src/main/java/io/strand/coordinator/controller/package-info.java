/**
 * The controller: one broker at a time, elected through the ephemeral {@code /controller} and the
 * fencing token {@code /controller_epoch}. It moves partition leadership when brokers come and go,
 * runs preferred-leader elections and topic deletion. Every write it makes is a ZooKeeper
 * {@code multi} whose first operation checks the {@code /controller_epoch} version it claimed, so a
 * controller that lost its election can never change a partition state.
 *
 * <p>Threading: all controller work runs on one "controller-event" thread; listeners only enqueue.
 */
package io.strand.coordinator.controller;
