package io.isola.internal.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One architecture's system calls, by name, for the seccomp filter. A number missing from the
 * table is a system call isola does not know (newer than its table): the filter answers it with
 * ENOSYS, so that programs fall back to an older call, as they would on an older kernel.
 *
 * @param arch the architecture
 * @param numbers every known system call's number, by name
 */
public record SyscallTable(Arch arch, Map<String, Integer> numbers) {

    /** The architectures isola runs on, with their names in the kernel's audit ABI, libseccomp and Go. */
    public enum Arch {
        X86_64(0xC000003E, "SCMP_ARCH_X86_64", "amd64", "x86_64"),
        AARCH64(0xC00000B7, "SCMP_ARCH_AARCH64", "arm64", "aarch64");

        final int auditArch;
        final String scmpName;
        final String goName;
        final String resource;

        Arch(int auditArch, String scmpName, String goName, String resource) {
            this.auditArch = auditArch;
            this.scmpName = scmpName;
            this.goName = goName;
            this.resource = resource;
        }

        public int auditArch() {
            return auditArch;
        }

        public String scmpName() {
            return scmpName;
        }

        public String goName() {
            return goName;
        }

        /** The architecture this JVM runs on. */
        public static Arch host() {
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64" -> AARCH64;
                default -> throw new UnsupportedOperationException("isola does not support " + System.getProperty("os.arch"));
            };
        }
    }

    /**
     * On x86_64 the x32 ABI shares the audit architecture and marks its numbers with this bit.
     * A filter that only compared numbers would let x32 calls through under other numbers.
     */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    private static final Map<Arch, SyscallTable> TABLES = new java.util.concurrent.ConcurrentHashMap<>();

    public SyscallTable {
        numbers = Collections.unmodifiableMap(new TreeMap<>(numbers));
    }

    public static SyscallTable of(Arch arch) {
        return TABLES.computeIfAbsent(arch, SyscallTable::load);
    }

    public static SyscallTable host() {
        return of(Arch.host());
    }

    public Optional<Integer> number(String name) {
        return Optional.ofNullable(numbers.get(name));
    }

    /** The number of {@code name}, which must exist on every supported architecture. */
    public int require(String name) {
        return number(name).orElseThrow(() -> new IllegalStateException(arch + " has no system call " + name));
    }

    private static SyscallTable load(Arch arch) {
        String resource = "syscalls-" + arch.resource + ".txt";
        Map<String, Integer> numbers = new TreeMap<>();
        try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null;) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                numbers.put(parts[0], Integer.parseInt(parts[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SyscallTable(arch, numbers);
    }
}
