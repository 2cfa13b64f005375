package io.strand.tools.groups;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import io.strand.tools.cli.BrokerOutputFlags;

/**
 * The flags of the commands on one group ({@code groups describe}, {@code groups reset-offsets}):
 * the broker to go through, {@code --json} and the required {@code --group}. Composed into each
 * command's flags with {@code @ParametersDelegate}.
 */
final class GroupFlags {
    @ParametersDelegate
    final BrokerOutputFlags common = new BrokerOutputFlags();

    @Parameter(
            names = {"-g", "--group"},
            description = "The group",
            required = true)
    String group;
}
