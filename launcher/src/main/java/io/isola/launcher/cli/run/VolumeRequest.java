package io.isola.launcher.cli.run;

import io.isola.launcher.volume.VolumeName;
import java.nio.file.Path;

/**
 * A volume of the volume store that a run asks for: named ({@code -v NAME:/dir}, {@code --mount
 * type=volume,src=NAME,...}) or anonymous ({@code -v /dir}, {@code --mount type=volume} without
 * a source, an image's {@code VOLUME}), which is named after the container when it is made.
 *
 * @param name the volume's name; null for an anonymous one
 * @param copyUp whether a new, empty volume gets the image's content at the target (Docker's
 *     default; {@code nocopy} and {@code volume-nocopy} turn it off)
 */
record VolumeRequest(String name, String target, boolean readOnly, boolean copyUp) {

    VolumeRequest {
        if (name != null) {
            VolumeName.check(name);
        }
        if (target == null
                || !target.startsWith("/")
                || target.indexOf('\0') >= 0
                || Path.of(target).normalize().toString().equals("/")) {
            throw new IllegalArgumentException("volume target \"" + target + "\": expected an absolute path below /");
        }
    }

    /** The name of the volume for container {@code containerId}. */
    String nameFor(String containerId) {
        return name != null ? name : VolumeName.anonymous(containerId, target);
    }

    /**
     * {@code -v}'s value when it names a volume ({@code NAME:CTR[:OPTS]} or {@code CTR} alone);
     * null when it is a bind of a host path ({@code /HOST:CTR[:ro]}), which {@link io.isola.api.Volume} reads.
     */
    static VolumeRequest parseFlag(String value) {
        String[] parts = value.split(":", -1);
        if (parts[0].startsWith("/") && parts.length > 1) {
            return null;
        }
        try {
            if (parts.length == 1) {
                if (!value.startsWith("/")) {
                    throw new IllegalArgumentException("expected HOST:CONTAINER[:ro], NAME:CONTAINER[:ro] or CONTAINER"
                            + " (an absolute path: an anonymous volume)");
                }
                return new VolumeRequest(null, value, false, true);
            }
            if (parts.length > 3) {
                throw new IllegalArgumentException("expected NAME:CONTAINER or NAME:CONTAINER:OPTIONS");
            }
            boolean readOnly = false, copyUp = true;
            if (parts.length == 3) {
                for (String option : parts[2].split(",", -1)) {
                    switch (option) {
                        case "ro" -> readOnly = true;
                        case "rw" -> readOnly = false;
                        case "nocopy" -> copyUp = false;
                        default ->
                            throw new IllegalArgumentException(
                                    "option \"" + option + "\" is not known, expected ro, rw or nocopy");
                    }
                }
            }
            return new VolumeRequest(parts[0], parts[1], readOnly, copyUp);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("volume \"" + value + "\": " + e.getMessage(), e);
        }
    }
}
