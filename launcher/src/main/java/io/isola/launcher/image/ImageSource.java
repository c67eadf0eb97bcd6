package io.isola.launcher.image;

import io.isola.api.IsolaException;
import io.isola.launcher.registry.DockerConfig;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.Platform;
import io.isola.launcher.registry.RegistryClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the image a command names comes from: the store, or a registry. {@code run --pull} and
 * {@code isola pull} both go through here, so that both normalise names and decide TLS alike.
 */
public final class ImageSource {

    /** Docker's {@code --pull}: pull when the store lacks the image, every time, or never. */
    public enum Policy {
        MISSING,
        ALWAYS,
        NEVER;

        public static Policy parse(String value) {
            for (Policy policy : values()) {
                if (policy.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return policy;
                }
            }
            throw new IllegalArgumentException("--pull \"" + value + "\": expected missing, always or never");
        }
    }

    private ImageSource() {}

    /**
     * Pulls {@code name} into {@code store}. {@code tlsVerify} null verifies TLS except for a
     * registry on loopback (localhost, 127.0.0.0/8, ::1), which Docker too treats as insecure: it
     * may then be reached over plain HTTP.
     */
    public static Image pull(ImageStore store, String name, Platform platform, Boolean tlsVerify, PullProgress progress)
            throws IOException {
        return pull(store, name, platform, tlsVerify, DockerConfig.fromEnvironment(), progress);
    }

    /** As {@link #pull(ImageStore, String, Platform, Boolean, PullProgress)}, with the credentials of {@code config}. */
    public static Image pull(
            ImageStore store,
            String name,
            Platform platform,
            Boolean tlsVerify,
            DockerConfig config,
            PullProgress progress)
            throws IOException {
        ImageReference reference = ImageReference.parse(name);
        boolean verify = tlsVerify != null ? tlsVerify : !ImageReference.isLoopback(reference.registry());
        Optional<DockerConfig.Credentials> credentials = config.credentials(reference.registry());
        RegistryClient client = new RegistryClient(reference, credentials, verify);
        return new ImagePuller(store, progress).pull(reference, client, platform == null ? Platform.host() : platform);
    }

    /** The stored image {@code name} is, after pulling it as {@code policy} says. */
    public static Image resolve(
            ImageStore store, String name, Policy policy, Platform platform, PullProgress progress) {
        Optional<Image> stored = policy == Policy.ALWAYS ? Optional.empty() : stored(store, name);
        if (stored.isPresent()) {
            return stored.get();
        }
        if (policy == Policy.NEVER) {
            return store.get(name); // its error names the store and how to fill it
        }
        ImageReference reference = ImageReference.parse(name);
        if (policy == Policy.MISSING) {
            progress.status("Unable to find image '" + reference.storeName() + "' locally");
        }
        try {
            return pull(store, name, platform, null, progress);
        } catch (IOException e) {
            throw failed(reference, e);
        }
    }

    /** A pull's failure as the CLI reports it: the image, then what went wrong. */
    public static IsolaException failed(ImageReference reference, IOException e) {
        String message = e instanceof InterruptedIOException
                ? "interrupted"
                : e.getMessage() == null ? e.toString() : e.getMessage();
        return new IsolaException("pulling " + reference + ": " + message, e);
    }

    /** The image as named, or under its normalised name ({@code docker.io/library/busybox} is {@code busybox:latest}). */
    public static Optional<Image> stored(ImageStore store, String name) {
        Optional<Image> exact = store.find(name);
        if (exact.isPresent()) {
            return exact;
        }
        try {
            return store.find(ImageReference.parse(name).storeName());
        } catch (IllegalArgumentException notAReference) {
            return Optional.empty();
        }
    }
}
