package io.isola.launcher.registry;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference as Docker reads it: {@code [HOST[:PORT]/]PATH[:TAG][@DIGEST]}. The first
 * component is a registry when it holds a dot or a colon or is {@code localhost}; otherwise the
 * registry is Docker Hub and a one-component path is an official image ({@code busybox} is {@code
 * docker.io/library/busybox:latest}). Without a digest the tag is {@code latest}.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?");

    /** Parses {@code name}; an error names it and what a reference looks like. */
    public static ImageReference parse(String name) {
        if (name == null || name.isEmpty() || name.length() > 512) {
            throw invalid(name, "expected [HOST[:PORT]/]NAME[:TAG][@sha256:DIGEST]");
        }
        String rest = name;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(name, "the digest \"" + digest + "\" is not sha256:<64 lower-case hex digits>");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(
                        name,
                        "the tag \"" + tag
                                + "\" must be letters, digits, _ . and -, at most 128, not starting with . or -");
            }
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!HOST.matcher(first).matches()) {
                    throw invalid(name, "the registry \"" + first + "\" is not a host name with an optional :PORT");
                }
                registry = first.toLowerCase(Locale.ROOT);
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB; // Docker's own aliases for Hub
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(
                        name,
                        "the path component \"" + component
                                + "\" must be lower-case letters and digits, separated by . _ __ or -");
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /**
     * The registry a login names: a host[:port], also written as a URL ({@code
     * https://index.docker.io/v1/} is Docker Hub, as Docker writes it); Docker Hub when null.
     */
    public static String registry(String server) {
        if (server == null || server.isEmpty()) {
            return DOCKER_HUB;
        }
        String host =
                server.replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "").toLowerCase(Locale.ROOT);
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("registry \"" + server + "\": expected HOST[:PORT]");
        }
        return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? DOCKER_HUB : host;
    }

    /** Whether {@code registry} (HOST[:PORT]) is on loopback: localhost, 127.0.0.0/8 or [::1]. */
    public static boolean isLoopback(String registry) {
        String host = registry.startsWith("[")
                ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.replaceFirst(":[0-9]+$", "");
        return host.equals("localhost")
                || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}")
                || host.equals("[::1]");
    }

    /** The host the API of {@code registry} is served on. */
    public static String apiHost(String registry) {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    private static IllegalArgumentException invalid(String name, String why) {
        return new IllegalArgumentException("image reference \"" + name + "\": " + why);
    }

    /** What the registry is asked for: the digest when there is one, else the tag. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    /** The full name, {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The repository as Docker shows it: Docker Hub's prefixes dropped ({@code busybox}, {@code user/app}). */
    public String familiarRepository() {
        if (!registry.equals(DOCKER_HUB)) {
            return registry + "/" + repository;
        }
        return repository.startsWith("library/") ? repository.substring("library/".length()) : repository;
    }

    /**
     * The name of the pulled image in the local store: the familiar repository with the tag, or
     * with the digest when pulled by digest alone ({@code busybox:latest}, {@code busybox@sha256:...}).
     */
    public String storeName() {
        return familiarRepository() + (tag != null ? ":" + tag : "@" + digest);
    }

    /** This reference with another digest and no tag (a platform's manifest under an index). */
    public ImageReference withDigest(String other) {
        return new ImageReference(registry, repository, null, other);
    }

    /** The host the API is served on: Docker Hub's is not docker.io. */
    public String apiHost() {
        return apiHost(registry);
    }
}
