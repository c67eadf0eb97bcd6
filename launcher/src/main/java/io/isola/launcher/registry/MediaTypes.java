package io.isola.launcher.registry;

/** The media types of images in registries: OCI's and Docker's schema 2. */
public final class MediaTypes {

    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private MediaTypes() {}

    public static boolean isIndex(String type) {
        return OCI_INDEX.equals(type) || DOCKER_LIST.equals(type);
    }

    public static boolean isManifest(String type) {
        return OCI_MANIFEST.equals(type) || DOCKER_MANIFEST.equals(type);
    }

    public static boolean isConfig(String type) {
        return OCI_CONFIG.equals(type) || DOCKER_CONFIG.equals(type);
    }
}
