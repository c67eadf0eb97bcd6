/**
 * The {@code isola} program: {@link io.isola.launcher.Main} (the command line, exit statuses as
 * {@code docker run}'s), {@link io.isola.launcher.IsolaRuntime} (Felix with the isolator bundles,
 * the runtime the CLI and the resident server use, and the embedded API's OSGi form), and where
 * the distribution's parts are ({@link io.isola.launcher.Layout}). The verbs live in {@code cli},
 * the thin client in {@code client}, the resident server in {@code server}.
 */
package io.isola.launcher;
