package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.launcher.server.Invocation;

/** docker's rule for -e: NAME=VALUE sets, NAME alone copies the host's value and is skipped when unset. */
public final class Environment {

    private Environment() {}

    public static void add(ContainerSpec.Builder builder, String entry) {
        int eq = entry.indexOf('=');
        if (eq == 0 || entry.isEmpty()) {
            throw new IllegalArgumentException("environment \"" + entry + "\": expected NAME=VALUE or NAME");
        }
        if (eq > 0) {
            builder.env(entry.substring(0, eq), entry.substring(eq + 1));
            return;
        }
        String hostValue = Invocation.getenv(entry); // the client's, in the server
        if (hostValue != null) {
            builder.env(entry, hostValue);
        }
    }
}
