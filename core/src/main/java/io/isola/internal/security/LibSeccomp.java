package io.isola.internal.security;

/**
 * The functions of libseccomp (Debian's {@code libseccomp2}, 2.5 or later) that compile a filter:
 * the binding only (public, as jnr-ffi's generated class must reach it); {@link SeccompLibrary} is the typed facade and the one place an error code
 * becomes an exception. libseccomp returns {@code -errno} rather than setting errno.
 */
public interface LibSeccomp {

    /** scmp_filter_ctx seccomp_init(uint32_t def_action); 0 when out of memory. */
    long seccomp_init(int defaultAction);

    void seccomp_release(long ctx);

    int seccomp_attr_set(long ctx, int attribute, int value);

    /** {@code args}: {@code argCount} packed {@code struct scmp_arg_cmp}. */
    int seccomp_rule_add_array(long ctx, int action, int syscall, int argCount, long args);

    int seccomp_export_bpf(long ctx, int fd);

    /** The native architecture's number of {@code name}, negative when unknown or a pseudo call. */
    int seccomp_syscall_resolve_name(String name);

    /** The name of {@code number} on {@code arch}, malloc'd (the caller frees it), or 0 when unknown. */
    long seccomp_syscall_resolve_num_arch(int arch, int number);
}
