package io.isola.launcher.cli.run;

import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Reads {@code --userns}: isola's switch (a user namespace) or Docker's {@code --userns host}
 * (none). Only the word "host" is taken as the value, so that {@code --userns IMAGE} keeps the
 * image; a plain optional value would swallow it.
 */
final class UsernsValue implements IParameterConsumer {

    static final String HOST = "host";
    static final String OWN = "own";

    @Override
    public void consumeParameters(Stack<String> args, ArgSpec option, CommandSpec command) {
        if (!args.isEmpty() && args.peek().equals(HOST)) {
            args.pop();
            option.setValue(HOST);
        } else {
            option.setValue(OWN);
        }
    }
}
