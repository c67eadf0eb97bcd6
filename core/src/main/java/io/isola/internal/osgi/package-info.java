/**
 * What the core tells an OSGi framework about itself: the packages it exports and their
 * versions, read from its own manifest, so that the launcher's Felix shares them with bundles.
 */
package io.isola.internal.osgi;
