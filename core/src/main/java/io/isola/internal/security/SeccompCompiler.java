package io.isola.internal.security;

import io.isola.api.Capability;
import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import io.isola.api.SeccompProfile.Condition;
import io.isola.api.SeccompProfile.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a {@link SeccompProfile} into a classic BPF filter for one container and one
 * architecture.
 *
 * <p>The filter: (1) a system call of another architecture (a 32-bit binary's {@code int 0x80})
 * kills the process, because the numbers below only mean something for this one; (2) on x86_64, an
 * x32 call (number with bit 30 set) gets ENOSYS, so that it cannot slip past under another number;
 * (3) a binary search over the numbers the profile gives rules for leads to their rules, tried in
 * the profile's order; (4) a number isola's table does not know gets ENOSYS when the default is to
 * deny, so that libc falls back to an older call as on an older kernel (clone3, for one); (5)
 * every other call gets the profile's default action.
 */
public final class SeccompCompiler {

    private static final Logger LOG = LoggerFactory.getLogger(SeccompCompiler.class);

    public static final int RET_KILL_PROCESS = 0x80000000, RET_KILL_THREAD = 0, RET_TRAP = 0x00030000,
            RET_ERRNO = 0x00050000, RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000, RET_ALLOW = 0x7fff0000;
    static final int ENOSYS = 38;

    private final SyscallTable table;
    private final Set<Capability> capabilities;
    private final String kernelRelease;

    /**
     * @param capabilities the container's capabilities, for the rules' includes and excludes
     * @param kernelRelease the running kernel's release ({@code "6.1.0-18-amd64"}), for minKernel
     */
    public SeccompCompiler(SyscallTable table, Set<Capability> capabilities, String kernelRelease) {
        this.table = table;
        this.capabilities = capabilities;
        this.kernelRelease = kernelRelease;
    }

    /** One rule as it applies here: all its conditions must hold for {@code verdict} to be returned. */
    private record Clause(List<Condition> conditions, int verdict) {}

    /** The filter as {@code struct sock_filter[]}. */
    public byte[] compile(SeccompProfile profile) {
        checkArchitecture(profile);
        int defaultVerdict = verdict(profile.defaultAction(), profile.defaultErrno());
        boolean denyByDefault = profile.defaultAction() != Action.ALLOW && profile.defaultAction() != Action.LOG;
        int unknownVerdict = denyByDefault ? RET_ERRNO | ENOSYS : defaultVerdict;

        Map<Integer, List<Clause>> chains = new TreeMap<>();
        for (Rule rule : profile.rules()) {
            if (!applies(rule)) {
                continue;
            }
            for (String name : rule.names()) {
                Integer nr = table.numbers().get(name);
                if (nr == null) {
                    LOG.debug("seccomp profile {}: no system call {} on {}, rule ignored", profile.source(), name, table.arch());
                    continue;
                }
                chains.computeIfAbsent(nr, n -> new ArrayList<>()).add(new Clause(rule.conditions(), verdict(rule.action(), rule.errno())));
            }
        }
        if (unknownVerdict != defaultVerdict) {
            for (int nr : table.numbers().values()) {
                chains.putIfAbsent(nr, List.of()); // known: the default action, not ENOSYS
            }
        }

        Bpf bpf = new Bpf();
        Map<List<Clause>, String> blocks = new LinkedHashMap<>();
        List<Map.Entry<Integer, String>> entries = new ArrayList<>();
        for (Map.Entry<Integer, List<Clause>> chain : chains.entrySet()) {
            String label = blocks.computeIfAbsent(chain.getValue(), c -> bpf.newLabel());
            entries.add(Map.entry(chain.getKey(), label));
        }
        String unknown = bpf.newLabel();

        bpf.load(Bpf.ARCH);
        bpf.jumpUnless(Bpf.JEQ_K, table.arch().auditArch(), "foreign");
        bpf.load(Bpf.NR);
        if (table.arch() == SyscallTable.Arch.X86_64) {
            bpf.jumpIf(Bpf.JGE_K, SyscallTable.X32_SYSCALL_BIT, "x32");
        }
        search(bpf, entries, 0, entries.size(), unknown);

        bpf.bind("foreign");
        bpf.ret(RET_KILL_PROCESS);
        bpf.bind("x32");
        bpf.ret(RET_ERRNO | ENOSYS);
        bpf.bind(unknown);
        bpf.ret(unknownVerdict);
        for (Map.Entry<List<Clause>, String> block : blocks.entrySet()) {
            bpf.bind(block.getValue());
            emitChain(bpf, block.getKey(), defaultVerdict);
        }
        LOG.debug("seccomp filter from {}: {} system calls with rules, {} instructions", profile.source(), chains.size(), bpf.size());
        return bpf.assemble();
    }

    /** Binary search over sorted numbers; the accumulator holds the system call number throughout. */
    private void search(Bpf bpf, List<Map.Entry<Integer, String>> entries, int from, int to, String unknown) {
        if (to - from <= 4) {
            for (int i = from; i < to; i++) {
                bpf.jumpIf(Bpf.JEQ_K, entries.get(i).getKey(), entries.get(i).getValue());
            }
            bpf.jump(unknown);
            return;
        }
        int mid = (from + to) >>> 1;
        String upper = bpf.newLabel();
        bpf.jumpIf(Bpf.JGE_K, entries.get(mid).getKey(), upper);
        search(bpf, entries, from, mid, unknown);
        bpf.bind(upper);
        search(bpf, entries, mid, to, unknown);
    }

    private void emitChain(Bpf bpf, List<Clause> chain, int defaultVerdict) {
        for (Clause clause : chain) {
            String next = bpf.newLabel();
            for (Condition condition : clause.conditions()) {
                emitCondition(bpf, condition, next);
            }
            bpf.ret(clause.verdict());
            bpf.bind(next);
            if (clause.conditions().isEmpty()) {
                break; // later clauses can never be reached; the label still needs an instruction
            }
        }
        bpf.ret(defaultVerdict);
    }

    /** Falls through when {@code condition} holds, goes to {@code fail} otherwise (unsigned 64-bit compares). */
    private static void emitCondition(Bpf bpf, Condition c, String fail) {
        int hi = Bpf.argHigh(c.index()), lo = Bpf.argLow(c.index());
        int vhi = (int) (c.value() >>> 32), vlo = (int) c.value();
        String ok = bpf.newLabel();
        switch (c.op()) {
            case EQ -> {
                bpf.load(hi);
                bpf.jumpUnless(Bpf.JEQ_K, vhi, fail);
                bpf.load(lo);
                bpf.jumpUnless(Bpf.JEQ_K, vlo, fail);
            }
            case NE -> {
                bpf.load(hi);
                bpf.jumpUnless(Bpf.JEQ_K, vhi, ok);
                bpf.load(lo);
                bpf.jumpIf(Bpf.JEQ_K, vlo, fail);
            }
            case MASKED_EQ -> {
                int dhi = (int) (c.valueTwo() >>> 32), dlo = (int) c.valueTwo();
                bpf.load(hi);
                bpf.and(vhi);
                bpf.jumpUnless(Bpf.JEQ_K, dhi, fail);
                bpf.load(lo);
                bpf.and(vlo);
                bpf.jumpUnless(Bpf.JEQ_K, dlo, fail);
            }
            case GT, GE -> {
                bpf.load(hi);
                bpf.jumpIf(Bpf.JGT_K, vhi, ok);
                bpf.jumpUnless(Bpf.JEQ_K, vhi, fail);
                bpf.load(lo);
                bpf.jumpUnless(c.op() == SeccompProfile.Op.GT ? Bpf.JGT_K : Bpf.JGE_K, vlo, fail);
            }
            case LT, LE -> {
                bpf.load(hi);
                bpf.jumpUnless(Bpf.JGE_K, vhi, ok);
                bpf.jumpUnless(Bpf.JEQ_K, vhi, fail);
                bpf.load(lo);
                bpf.jumpIf(c.op() == SeccompProfile.Op.LT ? Bpf.JGE_K : Bpf.JGT_K, vlo, fail);
            }
        }
        bpf.bind(ok);
        bpf.load(Bpf.NR); // keep an instruction behind the label; the accumulator is reloaded anyway
    }

    private boolean applies(Rule rule) {
        if (!capabilities.containsAll(rule.includeCaps())) {
            return false;
        }
        if (rule.excludeCaps().stream().anyMatch(capabilities::contains)) {
            return false;
        }
        String arch = table.arch().goName();
        if (!rule.includeArches().isEmpty() && !rule.includeArches().contains(arch)) {
            return false;
        }
        if (rule.excludeArches().contains(arch)) {
            return false;
        }
        return rule.minKernel() == null || compareVersions(kernelRelease, rule.minKernel()) >= 0;
    }

    private void checkArchitecture(SeccompProfile profile) {
        if (!profile.architectures().isEmpty() && !profile.architectures().contains(table.arch().scmpName())) {
            throw new IllegalArgumentException("seccomp profile \"" + profile.source() + "\": architectures "
                    + profile.architectures() + " do not include this host's " + table.arch().scmpName());
        }
    }

    static int verdict(Action action, int errno) {
        return switch (action) {
            case ALLOW -> RET_ALLOW;
            case ERRNO -> RET_ERRNO | (errno & 0xffff);
            case KILL_THREAD -> RET_KILL_THREAD;
            case KILL_PROCESS -> RET_KILL_PROCESS;
            case TRAP -> RET_TRAP;
            case TRACE -> RET_TRACE | (errno & 0xffff);
            case LOG -> RET_LOG;
        };
    }

    /** Compares dotted versions numerically; the release's suffix after the numbers is ignored. */
    static int compareVersions(String release, String minimum) {
        String[] have = release.replaceFirst("^(\\d+(\\.\\d+)*).*$", "$1").split("\\.");
        String[] want = minimum.split("\\.");
        for (int i = 0; i < Math.max(have.length, want.length); i++) {
            int h = i < have.length && !have[i].isEmpty() ? Integer.parseInt(have[i]) : 0;
            int w = i < want.length ? Integer.parseInt(want[i]) : 0;
            if (h != w) {
                return Integer.compare(h, w);
            }
        }
        return 0;
    }
}
