/**
 * The embedded Felix framework: which bundles start ({@code isola.properties}), their
 * configuration files, the isolator services they register and which the runtime uses
 * ({@link io.isola.launcher.framework.IsolatorTracker}), and {@code isola plugins}' view of them.
 */
package io.isola.launcher.framework;
