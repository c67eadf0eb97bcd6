package io.isola.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a container is networked, as a {@link ContainerSpec} extension ({@code
 * builder.with(Network.parse("bridge"))}). Without one, the network isolator's configured default
 * applies ({@code mode} in {@code io.isola.ns.net.cfg}; built in and as shipped {@code none}): no
 * container shares the host's network namespace unless it asks with {@link #host()}, and such a
 * container keeps no CAP_NET_RAW unless its {@link Security} adds it. A spec with a network other
 * than {@code host} on a runtime without a network isolator is refused rather than left on the
 * host's network.
 *
 * <ul>
 *   <li>{@code none}: a network namespace of its own with only {@code lo}, up;
 *   <li>{@code host}: the host's network namespace, no isolation;
 *   <li>{@code bridge}: the runtime's default bridge network;
 *   <li>{@code container:ID}: the network namespace of the running container {@code ID};
 *   <li>{@code NAME}: the CNI network (conflist) of that name.
 * </ul>
 *
 * @param mode which of the above
 * @param target the network's name for {@link Mode#NAMED}, the container's id for {@link
 *     Mode#CONTAINER}, else empty
 * @param ports ports published from the host; only for modes that attach to a network
 */
public record Network(Mode mode, String target, List<PortMapping> ports) {

    /** CNI network names and container ids: what CNI and isola both accept. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    public enum Mode {
        NONE,
        HOST,
        BRIDGE,
        CONTAINER,
        NAMED
    }

    public Network {
        Objects.requireNonNull(mode, "mode");
        target = target == null ? "" : target;
        ports = List.copyOf(ports);
        boolean needsTarget = mode == Mode.CONTAINER || mode == Mode.NAMED;
        if (needsTarget && !NAME.matcher(target).matches()) {
            throw new IllegalArgumentException(
                    (mode == Mode.CONTAINER ? "container id" : "network name") + " \"" + target
                            + "\": expected 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (!needsTarget && !target.isEmpty()) {
            throw new IllegalArgumentException("network mode " + mode + " takes no name, got \"" + target + "\"");
        }
        if (!ports.isEmpty() && mode != Mode.BRIDGE && mode != Mode.NAMED) {
            throw new IllegalArgumentException("published ports " + ports
                    + ": only a bridge or named network can publish" + " ports, not --net " + describe(mode, target));
        }
        for (int i = 0; i < ports.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (ports.get(i).overlaps(ports.get(j))) {
                    throw new IllegalArgumentException(
                            "host port " + ports.get(i).hostPort() + "/"
                                    + ports.get(i).protocol() + " is published twice (" + ports.get(j) + " and "
                                    + ports.get(i) + "); expected each host port once on an address");
                }
            }
        }
    }

    /** Parses what {@code --net} takes: {@code none}, {@code host}, {@code bridge}, {@code container:ID} or a name. */
    public static Network parse(String text) {
        Objects.requireNonNull(text, "network");
        return switch (text) {
            case "none" -> new Network(Mode.NONE, "", List.of());
            case "host" -> new Network(Mode.HOST, "", List.of());
            case "bridge" -> new Network(Mode.BRIDGE, "", List.of());
            default ->
                text.startsWith("container:")
                        ? new Network(Mode.CONTAINER, text.substring("container:".length()), List.of())
                        : new Network(Mode.NAMED, text, List.of());
        };
    }

    public static Network none() {
        return parse("none");
    }

    public static Network host() {
        return parse("host");
    }

    public static Network bridge() {
        return parse("bridge");
    }

    /** This network, also publishing {@code more} ports. */
    public Network publish(PortMapping... more) {
        List<PortMapping> all = new ArrayList<>(ports);
        all.addAll(List.of(more));
        return new Network(mode, target, all);
    }

    /** The network name or container id, when the mode has one. */
    public Optional<String> targetName() {
        return target.isEmpty() ? Optional.empty() : Optional.of(target);
    }

    @Override
    public String toString() {
        return describe(mode, target) + (ports.isEmpty() ? "" : " " + ports);
    }

    private static String describe(Mode mode, String target) {
        return switch (mode) {
            case CONTAINER -> "container:" + target;
            case NAMED -> target;
            default -> mode.name().toLowerCase(Locale.ROOT);
        };
    }
}
