package io.isola.ns.mount;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The container's mount tree as the host plans it, and the resolution of mount targets inside it.
 *
 * <p>A target is resolved the way runc's securejoin does, but across every mount planned so far:
 * each component is looked up in the mount that will hold it (the root file system, a volume's
 * source, {@code /dev}, ...); a symbolic link is followed <em>relative to the container's root</em>;
 * {@code ..} never climbs above the root. The result is a path without links, so when the child
 * mounts on it, nothing leads onto the host. The host looks the paths up just before the clone; a
 * process that swaps a directory on such a path for a link meanwhile (a container sharing a volume)
 * makes the child's lookup fail instead, as the child follows no link in the root or a volume until
 * the pivot ({@link MountCalls#followNoLinks}).
 */
final class ContainerTree {

    /** Linux gives up after 40 links in one lookup (ELOOP); so does this. */
    private static final int MAX_LINKS = 40;

    private record Mount(List<String> at, Backing backing) {}

    /**
     * A target resolved inside the container.
     *
     * @param path the components of the link-free path below the container's root
     * @param existing how many leading components exist already; the others must be created
     * @param last what the final component is now ({@link Entry#MISSING} when it must be created)
     */
    record Resolved(List<String> path, int existing, Entry last) {
        String containerPath() {
            return "/" + String.join("/", path);
        }

        /** The container path of the first {@code count} components. */
        String prefix(int count) {
            return "/" + String.join("/", path.subList(0, count));
        }
    }

    private final List<Mount> mounts = new ArrayList<>();
    private final List<List<String>> createdInRoot = new ArrayList<>();

    ContainerTree(Backing root) {
        mounts.add(new Mount(List.of(), root));
    }

    /** Records a mount at {@code at} (a resolved path), so later lookups below it see its content. */
    void mount(List<String> at, Backing backing) {
        mounts.add(new Mount(List.copyOf(at), backing));
    }

    void mount(String at, Backing backing) {
        mount(components(at), backing);
    }

    /**
     * Resolves {@code target} inside the container. Throws {@link IllegalArgumentException} (naming
     * {@code what}) for a loop of links or a component below something that is not a directory.
     */
    Resolved resolve(String what, String target) {
        Deque<String> remaining = new ArrayDeque<>(components(target));
        List<String> current = new ArrayList<>();
        int links = 0;
        Entry last = Entry.DIRECTORY;
        while (!remaining.isEmpty()) {
            String component = remaining.removeFirst();
            if (component.equals("..")) {
                if (!current.isEmpty()) {
                    current.remove(current.size() - 1); // the parent of / is /, as in the kernel
                }
                last = Entry.DIRECTORY;
                continue;
            }
            current.add(component);
            Entry entry = lookup(current);
            if (entry instanceof Entry.Link link) {
                if (++links > MAX_LINKS) {
                    throw new IllegalArgumentException(what + " \"" + target + "\": too many symbolic links");
                }
                current.remove(current.size() - 1);
                if (link.target().startsWith("/")) {
                    current.clear(); // absolute links start again at the container's root, not the host's
                }
                List<String> linked = components(link.target());
                for (int i = linked.size() - 1; i >= 0; i--) {
                    remaining.addFirst(linked.get(i));
                }
                last = Entry.DIRECTORY;
                continue;
            }
            if (entry == Entry.FILE && !remaining.isEmpty()) {
                throw new IllegalArgumentException(what + " \"" + target + "\": " + "/" + String.join("/", current)
                        + " in the container is not a directory");
            }
            last = entry;
        }
        int existing = 0;
        while (existing < current.size() && lookup(current.subList(0, existing + 1)) != Entry.MISSING) {
            existing++;
        }
        return new Resolved(List.copyOf(current), existing, existing == current.size() ? last : Entry.MISSING);
    }

    /** Notes that the child creates {@code path} (a resolved path) to mount on, to be removed afterwards. */
    void creating(List<String> path) {
        if (owner(path) == mounts.get(0)) {
            createdInRoot.add(List.copyOf(path));
        }
    }

    /** What the child creates in the root's own file system rather than in a mount on it, in order. */
    List<List<String>> createdInRoot() {
        return List.copyOf(createdInRoot);
    }

    /** Whether directories may be created at {@code path}: false inside proc and sysfs. */
    boolean creatable(List<String> path) {
        return owner(path).backing().creatable();
    }

    private Entry lookup(List<String> path) {
        Mount owner = owner(path);
        return owner.backing().lookup(path.subList(owner.at().size(), path.size()));
    }

    /** The last planned mount that covers {@code path}; later mounts hide earlier ones. */
    private Mount owner(List<String> path) {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Mount mount = mounts.get(i);
            if (path.size() >= mount.at().size()
                    && path.subList(0, mount.at().size()).equals(mount.at())) {
                return mount;
            }
        }
        throw new IllegalStateException("the root covers every path");
    }

    /** The non-empty components of a path, without ".". */
    static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }
}
