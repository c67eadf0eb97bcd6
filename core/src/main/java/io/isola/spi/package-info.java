/**
 * The service provider interface that namespace plugins implement.
 *
 * <p>A plugin registers one {@link io.isola.spi.NamespaceIsolator} service. For each container the
 * orchestrator asks the selected isolators to {@linkplain io.isola.spi.NamespaceIsolator#prepare
 * prepare} an {@link io.isola.spi.Isolation}, which contributes child-side {@link
 * io.isola.spi.Step steps} to {@link io.isola.spi.Phase phases}, acts on the host after the clone
 * and is closed (cleaned up) on every path.
 */
@org.osgi.annotation.versioning.Version("2.1.0")
package io.isola.spi;
