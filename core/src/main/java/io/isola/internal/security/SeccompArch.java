package io.isola.internal.security;

/**
 * The architectures isola runs on, with their names in the kernel's audit ABI (which libseccomp's
 * SCMP_ARCH_* tokens equal), in seccomp profiles and in Go (a profile rule's {@code arches}).
 */
enum SeccompArch {
    X86_64(0xC000003E, "SCMP_ARCH_X86_64", "amd64"),
    AARCH64(0xC00000B7, "SCMP_ARCH_AARCH64", "arm64");

    /**
     * On x86_64 the x32 ABI shares the audit architecture and marks its numbers with this bit; a
     * filter that only compared numbers would let x32 calls through under other numbers.
     */
    static final int X32_SYSCALL_BIT = 0x40000000;

    private final int auditArch;
    private final String scmpName;
    private final String goName;

    SeccompArch(int auditArch, String scmpName, String goName) {
        this.auditArch = auditArch;
        this.scmpName = scmpName;
        this.goName = goName;
    }

    int auditArch() {
        return auditArch;
    }

    String scmpName() {
        return scmpName;
    }

    String goName() {
        return goName;
    }

    /** The architecture this JVM runs on. */
    static SeccompArch host() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default ->
                throw new UnsupportedOperationException("isola does not support " + System.getProperty("os.arch"));
        };
    }
}
