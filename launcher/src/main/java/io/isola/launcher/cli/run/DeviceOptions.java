package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Devices;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Docker's {@code --device} and {@code --device-cgroup-rule}, mixed into {@code isola run}: host
 * devices beyond the default allow-list, which the cgroup isolator programs into the container's
 * devices cgroup (and makes the nodes of in its /dev).
 */
final class DeviceOptions {

    @Option(
            names = "--device",
            paramLabel = "HOST[:CONTAINER][:ACCESS]",
            description =
                    "Make a host device available inside, such as /dev/loop0 or /dev/sdb:/dev/xvdb:r (ACCESS: some of rwm).")
    private List<String> devices = new ArrayList<>();

    @Option(
            names = "--device-cgroup-rule",
            paramLabel = "RULE",
            description = "Allow devices in the devices cgroup, such as 'c 1:3 rwm' or 'b 7:* rw'.")
    private List<String> rules = new ArrayList<>();

    /** Adds the devices, if any; they need the container's own cgroup. */
    void applyTo(ContainerSpec.Builder builder, Set<String> isolators) {
        if (devices.isEmpty() && rules.isEmpty()) {
            return;
        }
        Devices.Builder access = Devices.builder();
        devices.forEach(access::device);
        rules.forEach(access::rule);
        if (!isolators.contains(ResourceOptions.ISOLATOR)) {
            throw new IllegalArgumentException(
                    "--device and --device-cgroup-rule need a cgroup of the container's own; " + "drop --no-cgroup");
        }
        builder.with(access.build());
    }
}
