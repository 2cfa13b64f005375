/**
 * {@code strand topics create|list|describe|delete|alter}, registered by {@link
 * io.strand.tools.topics.TopicsCommands}. Every command works either through a broker (Kafka's Admin
 * API) or, with {@code --zookeeper}, on the znodes through the coordinator code the brokers run; the
 * two ways are the two implementations of {@link io.strand.tools.topics.TopicBackend}.
 */
package io.strand.tools.topics;
