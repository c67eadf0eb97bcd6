package io.isola.launcher.cli;

import io.isola.internal.security.AppArmorOnExec;
import io.isola.spi.support.Selinux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code version} and {@code info} tell of the host: kernel, distribution, CPUs, memory, and
 * the cgroup layout as mounted ({@code v2}: one cgroup2 hierarchy at /sys/fs/cgroup; {@code
 * hybrid}: v1 controllers with a cgroup2 mount beside them; {@code v1}; {@code none}). The cgroup
 * plugin detects the same from the same mounts for its own use; this is the user's summary.
 */
final class HostFacts {

    enum CgroupLayout {
        V2("v2"),
        HYBRID("hybrid"),
        V1("v1"),
        NONE("none");

        private final String word;

        CgroupLayout(String word) {
            this.word = word;
        }

        @Override
        public String toString() {
            return word;
        }

        /** Docker's "Cgroup Version": 2 on a pure v2 host, 1 when the controllers are v1's. */
        String dockerVersion() {
            return this == V2 ? "2" : this == NONE ? "" : "1";
        }
    }

    private HostFacts() {}

    /**
     * Docker's "Security Options": the security modules whose labels isola applies here (a kernel
     * runs one of AppArmor and SELinux, chosen at boot) and the seccomp filter it installs.
     */
    static List<String> securityOptions() {
        List<String> options = new ArrayList<>();
        if (AppArmorOnExec.Host.ofThisHost().enabled()) {
            options.add("name=apparmor");
        }
        options.add("name=seccomp,profile=builtin");
        if (Selinux.enabled()) {
            options.add("name=selinux");
        }
        return options;
    }

    static String kernel() {
        return System.getProperty("os.version");
    }

    static String architecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : arch;
    }

    /** PRETTY_NAME of /etc/os-release, else "Linux". */
    static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // reported as plain Linux
        }
        return "Linux";
    }

    static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** MemTotal of /proc/meminfo in bytes, or 0. */
    static long memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return 0;
    }

    static CgroupLayout cgroupLayout() {
        try {
            return cgroupLayout(Files.readAllLines(Path.of("/proc/self/mounts")));
        } catch (IOException e) {
            return CgroupLayout.NONE;
        }
    }

    /** From lines of /proc/self/mounts: "source target fstype options 0 0". */
    static CgroupLayout cgroupLayout(List<String> mounts) {
        boolean v1 = false, v2 = false, v2AtRoot = false;
        for (String line : mounts) {
            String[] fields = line.split(" ");
            if (fields.length < 3) {
                continue;
            }
            if (fields[2].equals("cgroup2")) {
                v2 = true;
                v2AtRoot |= fields[1].equals("/sys/fs/cgroup");
            } else if (fields[2].equals("cgroup")) {
                v1 = true;
            }
        }
        return v2AtRoot && !v1
                ? CgroupLayout.V2
                : v1 && v2 ? CgroupLayout.HYBRID : v1 ? CgroupLayout.V1 : v2 ? CgroupLayout.V2 : CgroupLayout.NONE;
    }
}
