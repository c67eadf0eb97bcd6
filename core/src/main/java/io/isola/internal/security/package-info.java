/**
 * The lock-down every container gets, whatever isolators it uses
 * ({@link io.isola.internal.security.SecurityPolicy}): resource limits, capabilities,
 * {@code no_new_privs} and a seccomp filter compiled by libseccomp from Docker's profile format,
 * as child steps ({@link io.isola.internal.security.SecurityPlan}); and the checks the host makes
 * before it trusts a directory ({@link io.isola.internal.security.OwnedPaths}).
 */
package io.isola.internal.security;
