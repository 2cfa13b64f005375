package io.strand.tools.cli;

import com.beust.jcommander.converters.IParameterSplitter;
import java.util.List;

/** Keeps a repeatable flag's value whole: {@code --config cleanup.policy=compact,delete} is one value. */
public final class NoSplitter implements IParameterSplitter {
    @Override
    public List<String> split(String value) {
        return List.of(value);
    }
}
