/**
 * {@code strand configs get|set|delete}: the config overrides of a topic, a broker or the broker
 * default, through a broker (DescribeConfigs, IncrementalAlterConfigs). Registered by {@link
 * io.strand.tools.configs.ConfigsCommands}; which entity a command works on is {@link
 * io.strand.tools.configs.ConfigEntityFlags}.
 */
package io.strand.tools.configs;
