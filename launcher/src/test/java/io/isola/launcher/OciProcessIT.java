package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * config.json's process and kernel settings as the container's process sees them, and as runc
 * gives them on the same bundle: the capability sets of a user other than root, namespaced
 * sysctls, resource limits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OciProcessIT {

    @TempDir
    Path root;

    @TempDir
    Path bundle;

    @TempDir
    Path out;

    private OciHarness oci;

    @BeforeEach
    void setUp() throws Exception {
        oci = OciHarness.in(root, bundle, out);
    }

    /** runc runs the bundle as written; its process leaves its report in /out, as isola's does. */
    private void runc(String id) throws Exception {
        Path runcRoot = Files.createDirectories(root.resolve("runc"));
        try {
            for (List<String> verb :
                    List.of(List.of("create", "--bundle", bundle.toString(), id), List.of("start", id))) {
                List<String> command = new ArrayList<>(List.of("runc", "--root", runcRoot.toString()));
                command.addAll(verb);
                Process runc = new ProcessBuilder(command)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                assertTrue(runc.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, runc.exitValue(), "runc " + verb);
            }
            for (int i = 0; i < 100 && !Files.exists(out.resolve("done")); i++) {
                Thread.sleep(50);
            }
        } finally {
            new ProcessBuilder("runc", "--root", runcRoot.toString(), "delete", "--force", id)
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * runc and crun give a user other than root the sets the config lists: runc's starter config
     * lists AUDIT_WRITE, KILL and NET_BIND_SERVICE in four sets, and with them in the inheritable
     * one too they are ambient, so the command keeps them across its execve. isola refused that.
     */
    @Test
    void aUserOtherThanRootGetsTheCapabilitySetsTheConfigLists() throws Exception {
        ObjectNode config =
                oci.config("grep '^Cap' /proc/self/status > /out/caps; id -u >> /out/caps; touch /out/done");
        ObjectNode user = (ObjectNode) config.get("process").get("user");
        user.put("uid", 1000).put("gid", 1000);
        ObjectNode capabilities = (ObjectNode) config.get("process").get("capabilities");
        capabilities.set("inheritable", capabilities.get("ambient").deepCopy());
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        oci.write(config);

        runc("c1");
        String runcSaw = oci.read("caps");
        Files.delete(out.resolve("caps"));
        Files.delete(out.resolve("done"));
        assertEquals(0, oci.run("c1"));

        String isolaSaw = oci.read("caps");
        // CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29) in every set
        assertEquals(
                List.of(
                        "CapInh:\t0000000020000420",
                        "CapPrm:\t0000000020000420",
                        "CapEff:\t0000000020000420",
                        "CapBnd:\t0000000020000420",
                        "CapAmb:\t0000000020000420",
                        "1000"),
                isolaSaw.lines().toList());
        assertEquals(runcSaw, isolaSaw);
    }

    /** linux.sysctl: the container's own namespaces' parameters, set inside; another is refused by name. */
    @Test
    void namespacedSysctlsAreSetAndOthersRefusedByName() throws Exception {
        ObjectNode config =
                oci.config("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced > /out/sysctl");
        ((ArrayNode) config.get("linux").get("namespaces")).addObject().put("type", "network");
        ObjectNode sysctl = ((ObjectNode) config.get("linux")).putObject("sysctl");
        sysctl.put("net.ipv4.ip_forward", "1").put("kernel.shm_rmid_forced", "1");
        oci.write(config);
        String hostForward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"));

        assertEquals(0, oci.run("s1"));

        assertEquals(List.of("1", "1"), Files.readAllLines(out.resolve("sysctl")));
        assertEquals(hostForward, Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")), "the host's changed");
        sysctl.removeAll();
        sysctl.put("vm.swappiness", "10");
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "s2"));
        assertTrue(oci.lastErr.contains("linux.sysctl.vm.swappiness"), oci.lastErr);
        assertEquals("", oci.ok("list", "-q"));
    }

    /** process.rlimits: each limit as the process sees it (lowering only: this host's root lacks CAP_SYS_RESOURCE). */
    @Test
    void rlimitsAreTheProcesssLimits() throws Exception {
        ObjectNode config =
                oci.config("ulimit -Sn > /out/limits; ulimit -Hn >> /out/limits; ulimit -Hc >> /out/limits");
        ArrayNode rlimits = ((ObjectNode) config.get("process")).putArray("rlimits");
        rlimits.addObject().put("type", "RLIMIT_NOFILE").put("soft", 512).put("hard", 768);
        rlimits.addObject().put("type", "RLIMIT_CORE").put("soft", 0).put("hard", 0);
        oci.write(config);

        assertEquals(0, oci.run("r1"));

        assertEquals(List.of("512", "768", "0"), Files.readAllLines(out.resolve("limits")));
    }

    /**
     * process.scheduler, process.ioPriority and linux.personality, as the process sees them:
     * /proc/self/stat's nice (field 19) and policy (41), ionice, /proc/self/personality.
     */
    @Test
    void schedulerIoPriorityAndPersonalityAreTheProcesss() throws Exception {
        ObjectNode config =
                oci.config("busybox cut -d' ' -f19,41 /proc/self/stat > /out/sched; busybox ionice -p $$ >> /out/sched;"
                        + " cat /proc/self/personality >> /out/sched");
        ObjectNode process = (ObjectNode) config.get("process");
        process.putObject("scheduler").put("policy", "SCHED_BATCH").put("nice", 7);
        process.putObject("ioPriority").put("class", "IOPRIO_CLASS_IDLE").put("priority", 0);
        ((ObjectNode) config.get("linux")).putObject("personality").put("domain", "LINUX32");
        oci.write(config);

        assertEquals(0, oci.run("k1"));

        assertEquals(List.of("7 3", "idle", "00000008"), Files.readAllLines(out.resolve("sched")));
        process.putObject("scheduler").put("policy", "SCHED_LOTTERY");
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "k2"));
        assertTrue(oci.lastErr.contains("process.scheduler") && oci.lastErr.contains("SCHED_LOTTERY"), oci.lastErr);
    }

    /**
     * This host enables neither AppArmor nor SELinux (lsm: lockdown, capability, landlock, bpf) and
     * has no resctrl. An AppArmor profile is refused by name, as runc refuses it here (its write of
     * the profile fails with EINVAL); unconfined, what the process is here anyway, and the SELinux
     * labels an engine sends are ignored and the container runs, with the oomScoreAdj it asks for,
     * and so does an exec whose process.json names unconfined (podman's on a host with AppArmor
     * sends its profile; isola refused the field). intelRdt is refused naming what the host lacks.
     */
    @Test
    void anAppArmorProfileIsRefusedWhereTheHostLacksItAndUnconfinedAndLabelsAreIgnored() throws Exception {
        assumeFalse(
                Files.exists(Path.of("/sys/module/apparmor"))
                        || Files.exists(Path.of("/sys/fs/selinux/enforce"))
                        || Files.readString(Path.of("/proc/filesystems")).contains("resctrl"),
                "this host has AppArmor, SELinux or resctrl");
        ObjectNode config = oci.config("cat /proc/self/oom_score_adj > /out/oom; sleep 600");
        ((ObjectNode) config.get("process"))
                .put("apparmorProfile", "docker-default")
                .put("oomScoreAdj", 500)
                .put("selinuxLabel", "system_u:system_r:container_t:s0:c1,c2");
        ((ObjectNode) config.get("linux")).put("mountLabel", "system_u:object_r:container_file_t:s0:c1,c2");
        oci.write(config);
        try {
            assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "l0"));
            assertTrue(
                    oci.lastErr.contains("process.apparmorProfile")
                            && oci.lastErr.contains("\"docker-default\": this host does not enable AppArmor"),
                    oci.lastErr);
            assertEquals("", oci.ok("list", "-q"));
        } finally {
            oci.isola("delete", "--force", "l0"); // a create that wrongly succeeded leaves nothing either
        }

        ((ObjectNode) config.get("process")).put("apparmorProfile", "unconfined");
        oci.write(config);
        oci.ok("create", "--bundle", bundle.toString(), "l1");
        try {
            oci.ok("start", "l1");
            Path process = root.resolve("process.json");
            ObjectNode json = OciHarness.JSON.createObjectNode().put("cwd", "/").put("apparmorProfile", "unconfined");
            json.putArray("args").add("sh").add("-c").add("echo ran > /out/exec");
            json.putArray("env").add("PATH=/bin");
            json.putObject("user").put("uid", 0).put("gid", 0);
            OciHarness.JSON.writeValue(process.toFile(), json);
            assertEquals(0, oci.isola("exec", "--process", process.toString(), "l1"), oci.lastErr);
            assertEquals("ran", oci.read("exec").strip());
            Path oom = out.resolve("oom");
            for (int i = 0; i < 100 && !(Files.exists(oom) && Files.size(oom) > 0); i++) {
                Thread.sleep(50); // the container's first command writes it after start returned
            }
            assertEquals("500", oci.read("oom").strip());
        } finally {
            oci.isola("delete", "--force", "l1");
        }

        ((ObjectNode) config.get("linux")).putObject("intelRdt").put("closID", "isola-test");
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "l2"));
        assertTrue(oci.lastErr.contains("linux.intelRdt") && oci.lastErr.contains("no resctrl"), oci.lastErr);
        assertEquals("", oci.ok("list", "-q"));
    }

    /**
     * A config without a hostname and with a UTS namespace: the container keeps the runtime's host
     * name, which the new namespace starts with, as runc leaves it (isola gave it the container's id).
     */
    @Test
    void withoutAHostnameTheNewUtsNamespaceKeepsTheRuntimes() throws Exception {
        ObjectNode config = oci.config("hostname > /out/hostname");
        config.remove("hostname");
        oci.write(config);

        assertEquals(0, oci.run("h1"));

        assertEquals(
                Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(),
                oci.read("hostname").strip());
    }

    /**
     * A new time namespace with linux.timeOffsets, as runc makes it: the offsets are in place
     * before the container's first process enters, so that process already sees its uptime (the
     * boot-time clock) ten years ahead of the host's; the namespace is not the runtime's. Offsets
     * without a new time namespace are refused, as runc refuses them.
     */
    @Test
    void aNewTimeNamespaceRunsTheContainersClocksAtTheOffsets() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/timens_offsets")), "this kernel has no time namespaces");
        long boottime = 315_360_000L;
        ObjectNode refused = oci.config("true");
        String clocks = "read up idle < /proc/uptime; echo ${up%.*} > /out/uptime.tmp; readlink /proc/self/ns/time"
                + " > /out/ns.tmp; mv /out/uptime.tmp /out/uptime$SUFFIX; mv /out/ns.tmp /out/ns$SUFFIX";
        ObjectNode config = oci.config("cat /proc/self/timens_offsets > /out/offsets; " + clocks + "; exec sleep 600");
        ((ArrayNode) config.get("linux").get("namespaces")).addObject().put("type", "time");
        ObjectNode offsets = ((ObjectNode) config.get("linux")).putObject("timeOffsets");
        offsets.putObject("monotonic").put("secs", 1_000_000).put("nanosecs", 0);
        offsets.putObject("boottime").put("secs", boottime).put("nanosecs", 0);
        oci.write(config);

        oci.ok("create", "--bundle", bundle.toString(), "t1");
        try {
            oci.ok("start", "t1");
            for (int i = 0; i < 100 && !Files.exists(out.resolve("ns")); i++) {
                Thread.sleep(50); // written by the container's first command after start returned
            }
            // runc's exec joins the container's time namespace: its process sees the same clocks
            Path process = root.resolve("process.json");
            ObjectNode json = OciHarness.JSON.createObjectNode().put("cwd", "/");
            json.putArray("args").add("sh").add("-c").add(clocks);
            json.putArray("env").add("PATH=/bin").add("SUFFIX=-exec");
            json.putObject("user").put("uid", 0).put("gid", 0);
            OciHarness.JSON.writeValue(process.toFile(), json);
            assertEquals(0, oci.isola("exec", "--process", process.toString(), "t1"), oci.lastErr);
        } finally {
            oci.isola("delete", "--force", "t1");
        }

        assertEquals(
                List.of("monotonic 1000000 0", "boottime " + boottime + " 0"),
                Files.readAllLines(out.resolve("offsets")).stream()
                        .map(line -> line.trim().replaceAll("\\s+", " "))
                        .toList());
        long hostUptime = (long)
                Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        for (String process : List.of("", "-exec")) {
            long uptime = Long.parseLong(oci.read("uptime" + process).strip());
            assertTrue(
                    uptime >= boottime && uptime <= boottime + hostUptime,
                    "uptime" + process + " " + uptime + " against the host's " + hostUptime);
        }
        assertTrue(
                !oci.read("ns")
                        .strip()
                        .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/time"))
                                .toString()),
                "the container is in the runtime's time namespace");
        assertEquals(oci.read("ns"), oci.read("ns-exec"), "the exec'd process is in the container's time namespace");

        ((ObjectNode) refused.get("linux"))
                .putObject("timeOffsets")
                .putObject("boottime")
                .put("secs", 5);
        oci.write(refused);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "t2"));
        assertTrue(oci.lastErr.contains("linux.timeOffsets") && oci.lastErr.contains("does not create"), oci.lastErr);
    }
}
