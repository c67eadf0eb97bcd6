/**
 * The client half of the OCI distribution spec on the JDK's HTTP client: image references as
 * Docker reads them, manifests and blobs, bearer-token and basic auth, and credentials where
 * Docker keeps them ({@code ~/.docker/config.json}).
 */
package io.isola.launcher.registry;
