/**
 * The resident server: one JVM per user and installation that keeps the framework booted and
 * runs the served verbs for the JVM client (a unix socket, peer checked by SO_PEERCRED) and the
 * shell client (FIFOs in a 0700 directory), each command in a {@link io.isola.launcher.server.Session}
 * with the client's own stdio, environment and signals; it also monitors detached containers
 * ({@link io.isola.launcher.server.ResidentMonitor}). See docs/resident-server.md.
 */
package io.isola.launcher.server;
