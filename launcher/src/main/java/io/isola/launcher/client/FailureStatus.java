package io.isola.launcher.client;

import io.isola.launcher.cli.DockerCreate;

/**
 * The status with which a command line fails when isola itself fails (not the container), as
 * Docker's CLI gives it: 125 for {@code run} and Docker's {@code create} (docker/cli wraps their
 * every failure in a StatusError of 125), 1 for any other verb (cmd/docker/docker.go exits 1 for a
 * plain error), the OCI verbs too, as runc's. One home for the in-process CLI, the JVM client and
 * (in shell) bin/isola.
 */
public final class FailureStatus {

    /** docker run's and docker create's status for a failure of their own, not the container's. */
    public static final int RUN = 125;

    /** Any other verb's, and runc's. */
    public static final int OTHER = 1;

    private FailureStatus() {}

    /** For a command line whose verb is {@code verb} once Docker's create is taken as run; null: none. */
    public static int ofVerb(String verb) {
        return "run".equals(verb) ? RUN : OTHER;
    }

    /** For the command line {@code args} as the user typed it. */
    public static int of(String[] args) {
        return ofVerb(Verbs.verb(DockerCreate.rewrite(args)));
    }
}
