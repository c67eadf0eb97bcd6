package io.isola.oci;

import java.util.Set;

/**
 * The properties that the runtime-spec (1.2) defines in config.json. Spec: "Runtimes MUST NOT
 * generate an error if they encounter an unknown property. Instead they MUST ignore unknown
 * properties" (extensions live there). A property the spec defines and isola does not apply is
 * different: ignoring it would run the container less isolated than asked, so it is refused by
 * name. Objects whose members the spec lists are walked; every other entry here (a value, an
 * array, or an object of the spec's whose members isola reads itself) is known as a whole.
 */
final class SpecProperties {

    /** Objects the spec defines member by member: below them, a name not listed is unknown. */
    private static final Set<String> OBJECTS = Set.of(
            "root",
            "process",
            "process.consoleSize",
            "process.capabilities",
            "process.user",
            "hooks",
            "linux",
            "linux.resources",
            "linux.resources.memory",
            "linux.resources.cpu",
            "linux.resources.pids");

    private static final Set<String> KNOWN = Set.of(
            "ociVersion",
            "root.path",
            "root.readonly",
            "mounts",
            "hostname",
            "domainname",
            "annotations",
            "solaris",
            "windows",
            "vm",
            "zos",
            "process.terminal",
            "process.consoleSize.height",
            "process.consoleSize.width",
            "process.cwd",
            "process.env",
            "process.args",
            "process.commandLine",
            "process.rlimits",
            "process.apparmorProfile",
            "process.noNewPrivileges",
            "process.oomScoreAdj",
            "process.scheduler",
            "process.selinuxLabel",
            "process.ioPriority",
            "process.execCPUAffinity",
            "process.capabilities.bounding",
            "process.capabilities.effective",
            "process.capabilities.inheritable",
            "process.capabilities.permitted",
            "process.capabilities.ambient",
            "process.user.uid",
            "process.user.gid",
            "process.user.umask",
            "process.user.additionalGids",
            "process.user.username",
            "hooks.prestart",
            "hooks.createRuntime",
            "hooks.createContainer",
            "hooks.startContainer",
            "hooks.poststart",
            "hooks.poststop",
            "linux.namespaces",
            "linux.uidMappings",
            "linux.gidMappings",
            "linux.timeOffsets",
            "linux.devices",
            "linux.netDevices",
            "linux.cgroupsPath",
            "linux.rootfsPropagation",
            "linux.maskedPaths",
            "linux.readonlyPaths",
            "linux.mountLabel",
            "linux.intelRdt",
            "linux.memoryPolicy",
            "linux.personality",
            "linux.seccomp",
            "linux.sysctl",
            "linux.resources.devices",
            "linux.resources.blockIO",
            "linux.resources.hugepageLimits",
            "linux.resources.network",
            "linux.resources.rdma",
            "linux.resources.unified",
            "linux.resources.pids.limit",
            "linux.resources.memory.limit",
            "linux.resources.memory.reservation",
            "linux.resources.memory.swap",
            "linux.resources.memory.kernel",
            "linux.resources.memory.kernelTCP",
            "linux.resources.memory.swappiness",
            "linux.resources.memory.disableOOMKiller",
            "linux.resources.memory.useHierarchy",
            "linux.resources.memory.checkBeforeUpdate",
            "linux.resources.cpu.shares",
            "linux.resources.cpu.quota",
            "linux.resources.cpu.burst",
            "linux.resources.cpu.period",
            "linux.resources.cpu.realtimeRuntime",
            "linux.resources.cpu.realtimePeriod",
            "linux.resources.cpu.cpus",
            "linux.resources.cpu.mems",
            "linux.resources.cpu.idle");

    private SpecProperties() {}

    /** Whether the dotted {@code path} is, or lies within, a property the spec defines. */
    static boolean known(String path) {
        String[] parts = path.split("\\.");
        StringBuilder prefix = new StringBuilder();
        for (String part : parts) {
            prefix.append(prefix.length() == 0 ? "" : ".").append(part);
            String at = prefix.toString();
            if (KNOWN.contains(at)) {
                return true;
            }
            if (!OBJECTS.contains(at)) {
                return false;
            }
        }
        return false; // an object of the spec's itself, with something unknown in it: reported by that member
    }
}
