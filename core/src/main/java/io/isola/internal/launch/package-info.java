/**
 * One container start, host side: {@link io.isola.internal.launch.Orchestrator} selects the
 * spec's isolators and lets each prepare; {@link io.isola.internal.launch.ProgramComposer} puts
 * their steps in the kernel's namespace order around the runtime's own (stdio, scheduling, the
 * lock-down of {@code internal.security}); {@link io.isola.internal.launch.Launch} clones through
 * {@code internal.chain}, runs the isolators' after-clone work, answers checkpoints and opens
 * the gate. Also the parts of exec (namespace and cgroup joins), OCI create/start (gate FIFOs,
 * command lookup) and the seams tests use ({@link io.isola.internal.launch.LaunchProbe}).
 */
package io.isola.internal.launch;
