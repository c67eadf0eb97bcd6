package io.isola.internal.security;

import io.isola.api.SeccompProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * isola's default seccomp profile, in Docker's own format ({@code default-seccomp.json} beside
 * this class) and modelled on Docker's: an allow-list, EPERM for every other known system call,
 * and the calls that only make sense with a capability allowed when the container keeps it (so
 * that {@code --cap-add SYS_ADMIN} lets {@code mount} through, as in Docker).
 */
public final class DefaultSeccompProfile {

    static final String RESOURCE = "default-seccomp.json";

    private static final SeccompProfile PROFILE = read();

    private DefaultSeccompProfile() {}

    public static SeccompProfile get() {
        return PROFILE;
    }

    private static SeccompProfile read() {
        try (InputStream in = DefaultSeccompProfile.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return SeccompProfileParser.parse(
                    "isola's default profile", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
