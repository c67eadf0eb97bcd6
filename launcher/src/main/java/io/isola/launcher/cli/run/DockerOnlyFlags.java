package io.isola.launcher.cli.run;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The flags of {@code docker run} (Docker 24) that isola does not have. Each is added to
 * {@code run} as a hidden option that refuses itself by name, so that a Docker command line is
 * never read as something else (a flag's value taken for the image, or picocli's "unknown
 * option" for a flag the user rightly expects). A flag that isola gains is skipped here, found by
 * its long name, so this list never shadows an implementation.
 */
public final class DockerOnlyFlags {

    /** A Docker flag: its names, long one first, and whether it takes a value (else it is a switch). */
    record Flag(boolean takesValue, String... names) {
        String longName() {
            return names[0];
        }
    }

    static final List<Flag> DOCKER_RUN = List.of(
            value("--annotation"),
            value("--attach", "-a"),
            value("--blkio-weight"),
            value("--blkio-weight-device"),
            value("--cgroup-parent"),
            value("--cgroupns"),
            value("--cpu-count"),
            value("--cpu-percent"),
            value("--cpu-period"),
            value("--cpu-quota"),
            value("--cpu-rt-period"),
            value("--cpu-rt-runtime"),
            value("--cpuset-mems"),
            value("--detach-keys"),
            value("--device-read-bps"),
            value("--device-read-iops"),
            value("--device-write-bps"),
            value("--device-write-iops"),
            flag("--disable-content-trust"),
            value("--gpus"),
            value("--io-maxbandwidth"),
            value("--io-maxiops"),
            value("--ip6"),
            value("--isolation"),
            value("--kernel-memory"),
            value("--label-file"),
            value("--link"),
            value("--link-local-ip"),
            value("--log-driver"),
            value("--log-opt"),
            value("--mac-address"),
            value("--memory-reservation"),
            value("--memory-swappiness"),
            flag("--oom-kill-disable"),
            value("--platform"),
            value("--pull"),
            flag("--quiet", "-q"),
            value("--runtime"),
            flag("--sig-proxy"),
            value("--storage-opt"),
            value("--volume-driver"),
            value("--volumes-from"));

    private DockerOnlyFlags() {}

    /**
     * Adds to {@code run} a refusing option for each Docker flag it lacks. Names are looked up in
     * the option map: {@code findOption} scans every option and interpolates each one's names, so
     * ~130 lookups over ~120 options took 10-40 ms, every served {@code run} (the bulk of its cost).
     */
    public static void addTo(CommandSpec run) {
        Map<String, OptionSpec> taken = run.optionsMap();
        for (Flag flag : DOCKER_RUN) {
            if (taken.containsKey(flag.longName())) {
                continue;
            }
            String[] names = Arrays.stream(flag.names())
                    .filter(name -> !taken.containsKey(name))
                    .toArray(String[]::new);
            run.addOption(OptionSpec.builder(names)
                    .hidden(true)
                    // a switch may still be written --sig-proxy=false, as Docker's are
                    .arity(flag.takesValue() ? "1" : "0..1")
                    .type(String.class)
                    .parameterConsumer(refusal(flag.longName()))
                    .build());
        }
    }

    /** Throws as soon as the option is met, before its value is read or anything else is. */
    private static IParameterConsumer refusal(String name) {
        return (Stack<String> args, ArgSpec option, CommandSpec command) -> {
            throw new ParameterException(command.commandLine(), name + ": not supported by isola");
        };
    }

    private static Flag value(String... names) {
        return new Flag(true, names);
    }

    private static Flag flag(String... names) {
        return new Flag(false, names);
    }
}
