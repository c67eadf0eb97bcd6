/**
 * The child that runs no Java: a {@link io.isola.internal.chain.ChildProgram} (plain data: libc
 * calls with their arguments, checkpoints, the gate, the execve attempts) compiled by
 * {@link io.isola.internal.chain.ChainCompiler} into a chain of {@code ucontext_t}s that the
 * cloned child walks (see ARCHITECTURE.md and {@code clone-chain.c}), and the threads that clone
 * ({@link io.isola.internal.chain.CloneThreads}). The host reads one step record per call from
 * the status pipe ({@link io.isola.internal.chain.StepRecordReader}). {@code internal.launch}
 * composes the programs; nothing here knows about isolators.
 */
package io.isola.internal.chain;
