package io.isola.internal.chain;

/**
 * How the child is cloned from the JVM.
 *
 * <ul>
 *   <li>{@link #VFORK}: {@code CLONE_VM | CLONE_VFORK}. No page tables are copied; the child shares
 *       the JVM's memory until it execs and the cloning thread waits until then. The launching
 *       JVM stays the child's parent and is there to answer the gate. The default.
 *   <li>{@link #FORK}: neither flag. The child gets a copy-on-write copy of the JVM's memory and the
 *       cloning thread returns at once, so the child can wait at its gate for as long as it likes
 *       and outlive the JVM that cloned it: this is OCI {@code create}, where a later {@code start},
 *       another process, opens the gate FIFO. It costs a copy of the JVM's page tables, and the
 *       waiting child keeps the JVM's pages (shared until either side writes them) until it execs.
 * </ul>
 */
public enum CloneMode {
    VFORK,
    FORK
}
