/**
 * Docker's local volumes under the image store ({@code ROOT/volumes/NAME}): names, records and
 * the store that creates, lists and removes them.
 */
package io.isola.launcher.volume;
