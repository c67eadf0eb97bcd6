package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.launcher.image.ContainerCopy;
import io.isola.launcher.image.CopyRoot;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola cp}, as docker cp: {@code CONTAINER:SRC HOSTPATH|-} or {@code HOSTPATH|- CONTAINER:DEST},
 * the container running or stopped. A path inside the container is resolved as the container
 * would, links included, but never above its root ({@link io.isola.internal.nativ.DirectoryFd#inRoot}).
 */
@Command(
        name = "cp",
        mixinStandardHelpOptions = true,
        description = {
            "Copy files between a container (running or stopped) and the host, as docker cp.",
            "  isola cp CONTAINER:SRC_PATH DEST_PATH|-",
            "  isola cp SRC_PATH|- CONTAINER:DEST_PATH",
            "\"-\" is a tar archive on stdout or stdin. Links inside the container are followed as the",
            "container sees them, never out of its root; a link named as SRC_PATH is copied as a link.",
            "Differs from Docker: a stopped container's volumes are not part of it; -L is not supported;",
            "a copy to the host without -a drops setuid and setgid bits, as cp(1) does."
        })
final class CpCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-a", "--archive"},
            description = "Keep the files' owners and setuid/setgid bits (default: the destination's root, or you on"
                    + " the host without those bits).")
    private boolean archive;

    @Option(
            names = {"-L", "--follow-link"},
            description = "Not supported by isola: name the link's target instead.")
    private boolean followLink;

    @Option(
            names = {"-q", "--quiet"},
            description = "Accepted for Docker's scripts: isola cp prints no progress.")
    private boolean quiet;

    @Parameters(index = "0", paramLabel = "SRC")
    private String source;

    @Parameters(index = "1", paramLabel = "DEST")
    private String destination;

    @Override
    public Integer call() {
        try {
            return copy();
        } catch (NoSuchFileException e) {
            throw new IsolaException(
                    "cp " + source + " " + destination + ": no such file or directory: " + e.getFile(), e);
        } catch (IOException e) {
            // a refused entry (a link on its way, a file where a directory is) is the user's to fix, not an internal
            // error
            throw new IsolaException("cp " + source + " " + destination + ": " + e.getMessage(), e);
        }
    }

    private int copy() throws IOException {
        if (followLink) {
            throw new IsolaException("cp -L (--follow-link) is not supported by isola: name the link's target instead");
        }
        Endpoint from = Endpoint.of(source), to = Endpoint.of(destination);
        if (from.container() == null && to.container() == null) {
            throw new IsolaException("cp " + source + " " + destination + ": one of them must be CONTAINER:PATH");
        }
        if (from.container() != null && to.container() != null) {
            throw new IsolaException("cp " + source + " " + destination
                    + ": copying between containers is not supported;" + " copy through the host");
        }
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        if (from.container() != null) {
            ContainerState state = lifecycle.get(from.container());
            try (CopyRoot container = CopyRoot.container(state)) {
                if (to.path().equals("-")) {
                    TarDestination.write(null, out -> ContainerCopy.toStream(container, from.path(), out));
                } else {
                    try (CopyRoot host = CopyRoot.host()) {
                        ContainerCopy.copy(container, from.path(), host, hostPath(to.path()), archive);
                    }
                }
            }
            return 0;
        }
        ContainerState state = lifecycle.get(to.container());
        try (CopyRoot container = CopyRoot.container(state)) {
            if (from.path().equals("-")) {
                ContainerCopy.fromStream(new FileInputStream(FileDescriptor.in), container, to.path(), archive);
            } else {
                try (CopyRoot host = CopyRoot.host()) {
                    ContainerCopy.copy(host, hostPath(from.path()), container, to.path(), archive);
                }
            }
        }
        return 0;
    }

    /** A host path made absolute, its trailing "/" or "/." kept: they carry docker cp's meaning. */
    private static String hostPath(String path) {
        if (path.startsWith("/")) {
            return path;
        }
        String base = Path.of("").toAbsolutePath().toString();
        return base.endsWith("/") ? base + path : base + "/" + path;
    }

    /** One argument: a container's path, or the host's (container null), as docker cp splits them. */
    record Endpoint(String container, String path) {
        static Endpoint of(String argument) {
            int colon = argument.indexOf(':');
            // an absolute path, or one starting with ".", is the host's even with a colon in it
            if (argument.startsWith("/") || colon < 0 || argument.startsWith(".")) {
                return new Endpoint(null, argument);
            }
            if (colon == 0) {
                throw new IsolaException(
                        "cp: \"" + argument + "\" names no container before the colon; expected CONTAINER:PATH");
            }
            return new Endpoint(argument.substring(0, colon), argument.substring(colon + 1));
        }
    }
}
