package io.strand.tools.configs;

import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerOutputFlags;

/**
 * The flags every configs command has: the broker to go through, {@code --json}, and which
 * entity's configs ({@link ConfigEntityFlags}). Composed into each command's flags with {@code
 * @ParametersDelegate}.
 */
final class ConfigsFlags {
    @ParametersDelegate
    final BrokerOutputFlags common = new BrokerOutputFlags();

    @ParametersDelegate
    final ConfigEntityFlags entity = new ConfigEntityFlags();
}
