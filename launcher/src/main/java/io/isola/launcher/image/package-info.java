/**
 * The image store: layers and images on disk ({@link io.isola.launcher.image.ImageStore}),
 * imported from archives or pulled ({@link io.isola.launcher.image.ImagePuller}) and extracted by a
 * hardened {@link io.isola.launcher.image.LayerExtractor} (no link followed, whiteouts as overlayfs
 * reads them); a container's writable layer and what is made of it (commit, export, diff, cp, save,
 * push). Trees owned by a rootless user's subordinate ids are worked on inside the user's namespace
 * ({@link io.isola.launcher.image.TreeTask}).
 */
package io.isola.launcher.image;
