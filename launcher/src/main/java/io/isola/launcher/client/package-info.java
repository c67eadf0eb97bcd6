/**
 * The thin JVM client of {@code bin/isola} ({@link io.isola.launcher.client.Client}): hands a
 * command line, its environment and its stdio fds to this user's resident server over a unix
 * socket ({@link io.isola.launcher.client.Wire}), or runs it in-process when no server may serve
 * it ({@link io.isola.launcher.client.Verbs}). The shell client in
 * {@code lib/shell-client.bash} speaks to the same server without a JVM.
 */
package io.isola.launcher.client;
