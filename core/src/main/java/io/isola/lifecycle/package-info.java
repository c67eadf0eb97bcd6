/**
 * Containers with a life beyond one JVM: state on disk under a root directory (OCI
 * {@code state.json} plus what isola needs), the monitor that reaps a detached container and
 * records its exit status, and the operations the CLI verbs are thin wrappers of (kill, stop,
 * remove, wait, exec, inspect). Every operation tolerates stale state: a process that is gone,
 * or whose pid now belongs to another process (told apart by its start time).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.isola.lifecycle;
