package io.isola.launcher.cli.run;

import io.isola.api.ExecFailedException;

/**
 * A command that was not found, where its word could have meant an image ({@code isola run
 * IMAGE}): docker users type an image's name and would otherwise read only that the command was
 * not found. Keeps the status of a command not found (127).
 */
final class CommandNorImageFound extends ExecFailedException {

    private final String message;

    CommandNorImageFound(ExecFailedException notFound, String word) {
        super(word, notFound.errno(), notFound.errnoName(), "");
        initCause(notFound);
        message = notFound.getMessage() + "; nor is \"" + word
                + "\" an image in the local store ('isola images' lists them)";
    }

    @Override
    public String getMessage() {
        return message;
    }
}
