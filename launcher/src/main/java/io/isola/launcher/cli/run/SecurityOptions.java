package io.isola.launcher.cli.run;

import io.isola.api.Security;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * docker run's lock-down options. Every value is checked when the spec is built, before Felix
 * boots, with a message that names it; a container without any of them gets the default lock-down.
 */
final class SecurityOptions {

    @Option(
            names = "--privileged",
            description = "Keep every capability, install no seccomp filter (no_new_privs and --ulimit still apply).")
    private boolean privileged;

    @Option(
            names = "--cap-add",
            paramLabel = "CAP",
            split = ",",
            description = "Add a capability to Docker's default set (NET_ADMIN, CAP_SYS_TIME, ALL).")
    private List<String> capAdd = new ArrayList<>();

    @Option(
            names = "--cap-drop",
            paramLabel = "CAP",
            split = ",",
            description = "Drop a capability from the default set, or ALL of them.")
    private List<String> capDrop = new ArrayList<>();

    @Option(
            names = "--security-opt",
            paramLabel = "OPT",
            description = "no-new-privileges[=true|false], seccomp=unconfined, seccomp=PROFILE.json (Docker's format),"
                    + " apparmor=PROFILE (a loaded AppArmor profile), apparmor=unconfined, label=disable or"
                    + " label=user:U|role:R|type:T|level:L|filetype:T (SELinux, where the host enables it).")
    private List<String> securityOpts = new ArrayList<>();

    @Option(
            names = "--ulimit",
            paramLabel = "NAME=SOFT[:HARD]",
            description = "A resource limit, such as nofile=1024:2048 (default: nofile=1024:1024).")
    private List<String> ulimits = new ArrayList<>();

    /** The lock-down these options ask for; an {@link IllegalArgumentException} names a bad value. */
    Security security() {
        Security.Builder builder = Security.builder().privileged(privileged);
        capAdd.forEach(builder::capAdd);
        capDrop.forEach(builder::capDrop);
        securityOpts.forEach(builder::securityOpt);
        ulimits.forEach(builder::ulimit);
        return builder.build();
    }
}
