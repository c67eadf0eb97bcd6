/**
 * A CNI runtime as the specification describes one: configuration lists, the plugin path, and
 * running a plugin with its environment and configuration on stdin.
 */
package io.isola.ns.net.cni;
