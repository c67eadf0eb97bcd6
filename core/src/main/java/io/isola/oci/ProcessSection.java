package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.Capability;
import io.isola.api.CapabilitySets;
import io.isola.api.ContainerSpec;
import io.isola.api.ProcessAttributes;
import io.isola.api.ProcessUser;
import io.isola.api.Security;
import io.isola.api.Terminal;
import io.isola.api.Ulimit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code process}: the user and its umask, the five capability sets, resource limits, {@code
 * noNewPrivileges} and {@code oomScoreAdj}. The security settings go into the {@link
 * Security.Builder} that {@link LinuxSection} completes with the seccomp filter.
 */
final class ProcessSection {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessSection.class);

    private ProcessSection() {}

    /**
     * The spec of a process object's command: args, env, terminal and cwd, read alike from
     * config.json's {@code process} and from an exec's process.json.
     */
    static ContainerSpec.Builder command(ConfigFields fields) {
        List<String> args = fields.texts("process.args");
        if (args.isEmpty()) {
            throw ConfigFields.refuse(
                    "process.args",
                    (fields.at("process.args") == null ? "absent" : "empty")
                            + "; expected at least the command to run");
        }
        ContainerSpec.Builder spec = ContainerSpec.builder(args);
        for (String entry : fields.texts("process.env")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw ConfigFields.refuse("process.env", "\"" + entry + "\": expected NAME=VALUE");
            }
            spec.env(entry.substring(0, eq), entry.substring(eq + 1));
        }
        JsonNode terminal = fields.take("process.terminal");
        Integer height = integer(fields, "process.consoleSize.height");
        Integer width = integer(fields, "process.consoleSize.width");
        if (terminal != null && terminal.asBoolean(false)) {
            spec.with(new ProcessTerminal());
            // OCI: ignored without a terminal; Docker sets it for -t; 0 is no size (runc's reading)
            if (height != null && width != null && height != 0 && width != 0) {
                try {
                    spec.with(new Terminal(width, height));
                } catch (IllegalArgumentException e) {
                    throw ConfigFields.refuse(
                            "process.consoleSize",
                            width + " columns, " + height + " rows: expected 1 to 65535 of each, or 0 for no size");
                }
            }
        }
        String cwd = fields.text("process.cwd");
        spec.cwd(cwd == null ? "/" : cwd);
        return spec;
    }

    static void read(ConfigFields fields, ContainerSpec.Builder spec, Security.Builder security) {
        user(fields, spec);
        Integer umask = integer(fields, "process.user.umask");
        Integer oom = integer(fields, "process.oomScoreAdj");
        if (umask != null || oom != null) {
            spec.with(attributes("process", umask, oom));
        }
        // OCI: no_new_privs only when asked for (isola's own default is on)
        JsonNode nnp = fields.take("process.noNewPrivileges");
        if (nnp != null && !nnp.isBoolean()) {
            throw ConfigFields.refuse("process.noNewPrivileges", nnp + ": expected true or false");
        }
        security.noNewPrivileges(nnp != null && nnp.asBoolean());
        capabilities(fields, spec, security);
        rlimits(fields, security);
    }

    private static void user(ConfigFields fields, ContainerSpec.Builder spec) {
        long uid = id(fields, "process.user.uid");
        long gid = id(fields, "process.user.gid");
        JsonNode groups = fields.take("process.user.additionalGids");
        List<Long> additional = new ArrayList<>();
        if (groups != null) {
            int index = 0;
            for (JsonNode group : groups) {
                if (!group.canConvertToLong() || group.asLong() < 0 || group.asLong() > 0xfffffffeL) {
                    throw ConfigFields.refuse(
                            "process.user.additionalGids[" + index + "]", group + ": expected a group id");
                }
                additional.add(group.asLong());
                index++;
            }
        }
        // root too: the process has exactly the config's supplementary groups, as runc sets them;
        // else it kept the runtime's, which under rootless podman are the user's own groups
        try {
            spec.with(new ProcessUser(uid, gid, additional));
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("process.user", e.getMessage());
        }
    }

    private static long id(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        if (node == null) {
            return 0;
        }
        if (!node.canConvertToLong() || node.asLong() < 0 || node.asLong() > 0xfffffffeL) {
            throw ConfigFields.refuse(path, node + ": expected a numeric id from 0 to 4294967294");
        }
        return node.asLong();
    }

    private static Integer integer(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        if (node == null) {
            return null;
        }
        if (!node.canConvertToInt()) {
            throw ConfigFields.refuse(path, node + ": expected an integer");
        }
        return node.asInt();
    }

    private static ProcessAttributes attributes(String field, Integer umask, Integer oom) {
        try {
            return new ProcessAttributes(umask, oom);
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(
                    umask != null && (umask < 0 || umask > 0777) ? field + ".user.umask" : field + ".oomScoreAdj",
                    e.getMessage());
        }
    }

    static final List<String> CAPABILITY_SETS = List.of("bounding", "effective", "permitted", "inheritable", "ambient");

    /**
     * Each set as given; a set that is absent is empty, as in runc. The bounding set also becomes
     * the {@link Security}'s capabilities, which the seccomp filter's capability rules follow.
     */
    private static void capabilities(ConfigFields fields, ContainerSpec.Builder spec, Security.Builder security) {
        if (fields.at("process.capabilities") == null) {
            security.capDrop("ALL");
            spec.with(new CapabilitySets(Set.of(), Set.of(), Set.of(), Set.of(), Set.of()));
            return;
        }
        List<Set<Capability>> sets = new ArrayList<>();
        for (String set : CAPABILITY_SETS) {
            String path = "process.capabilities." + set;
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            for (String name : fields.texts(path)) {
                try {
                    caps.add(Capability.parse(name));
                } catch (IllegalArgumentException e) {
                    throw ConfigFields.refuse(
                            path,
                            "\"" + name + "\": not a capability isola knows"
                                    + " (expected CAP_ and one of capability(7)'s names)");
                }
            }
            sets.add(caps);
        }
        Set<Capability> ambient = sets.get(4);
        Set<Capability> raisable = EnumSet.copyOf(ambient);
        raisable.retainAll(sets.get(2));
        raisable.retainAll(sets.get(3));
        if (!raisable.equals(ambient)) {
            // the kernel raises an ambient capability only when it is permitted and inheritable; runc
            // warns and goes on without it, and runc's own starter config relies on that
            Set<Capability> dropped = EnumSet.copyOf(ambient);
            dropped.removeAll(raisable);
            LOG.warn(
                    "config.json: process.capabilities.ambient: {} not raised: an ambient capability must also be"
                            + " permitted and inheritable",
                    dropped);
        }
        try {
            spec.with(new CapabilitySets(sets.get(0), sets.get(1), sets.get(2), sets.get(3), raisable));
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("process.capabilities", e.getMessage());
        }
        security.capDrop("ALL");
        security.capAdd(sets.get(0).stream().map(Enum::name).toArray(String[]::new));
    }

    /** {@code RLIMIT_NOFILE} and the like, by Docker's name ({@code nofile}); each type once. */
    private static void rlimits(ConfigFields fields, Security.Builder security) {
        JsonNode list = fields.take("process.rlimits");
        if (list == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        int index = 0;
        for (JsonNode rlimit : list) {
            String field = "process.rlimits[" + index++ + "]";
            String type = rlimit.path("type").asText("");
            if (!type.startsWith("RLIMIT_")) {
                throw ConfigFields.refuse(
                        field + ".type",
                        "\"" + type + "\": expected RLIMIT_ and a limit's name, such as RLIMIT_NOFILE");
            }
            String name = type.substring("RLIMIT_".length()).toLowerCase(Locale.ROOT);
            try {
                new Ulimit(name, 0, 0);
            } catch (IllegalArgumentException e) {
                throw ConfigFields.refuse(
                        field + ".type",
                        "\"" + type + "\": not a limit isola knows; expected RLIMIT_ and one of"
                                + " getrlimit(2)'s names, such as RLIMIT_NOFILE");
            }
            if (!seen.add(name)) {
                throw ConfigFields.refuse(field + ".type", "\"" + type + "\": given twice; expected each limit once");
            }
            try {
                security.ulimit(new Ulimit(
                        name, limit(field + ".soft", rlimit.get("soft")), limit(field + ".hard", rlimit.get("hard"))));
            } catch (IllegalArgumentException e) {
                throw ConfigFields.refuse(field, e.getMessage());
            }
        }
    }

    /** An unsigned 64-bit limit, where 2^64-1 (RLIM_INFINITY) is {@link Ulimit#UNLIMITED}. */
    private static long limit(String field, JsonNode node) {
        if (node == null
                || !node.isIntegralNumber()
                || node.bigIntegerValue().signum() < 0
                || node.bigIntegerValue().bitLength() > 64) {
            throw ConfigFields.refuse(field, node + ": expected a limit from 0 to 18446744073709551615");
        }
        return node.bigIntegerValue().longValue(); // 2^64-1 wraps to -1, RLIM_INFINITY
    }
}
