package io.isola.launcher.cli.run;

import io.isola.launcher.attach.ConsoleMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code run}'s lifecycle options, docker's: detached, terminal, names, removal, env files, init. */
final class RunLifecycleOptions {

    /** Where an init for --init is looked for, in order: tini as Docker ships it, then catatonit (podman's). */
    static final List<Path> INITS = List.of(
            Path.of("/usr/bin/tini-static"),
            Path.of("/usr/bin/tini"),
            Path.of("/usr/sbin/tini"),
            Path.of("/usr/bin/catatonit"),
            Path.of("/usr/libexec/podman/catatonit"));

    @Option(
            names = {"-d", "--detach"},
            description =
                    "Run in the background and print the container id; with -t or -i, 'isola attach' connects to it.")
    boolean detach;

    @Option(
            names = {"-i", "--interactive"},
            description = "Keep stdin open and connected to the container (with -d: for a later attach).")
    boolean interactive;

    @Option(
            names = {"-t", "--tty"},
            description =
                    "Give the container a pseudo-terminal (with -d: held for a later attach, output to its logs).")
    boolean tty;

    @Option(
            names = "--rm",
            description =
                    "Remove the container (state, writable layer) when it exits; foreground runs without an image always are.")
    boolean remove;

    @Option(names = "--name", paramLabel = "NAME", description = "A name to refer to the container by.")
    String name;

    @Option(
            names = "--env-file",
            paramLabel = "FILE",
            description = "Read NAME=VALUE (or NAME) lines from FILE; '#' starts a comment line.")
    List<Path> envFiles = new ArrayList<>();

    @Option(
            names = "--restart",
            paramLabel = "POLICY",
            defaultValue = "no",
            description = {
                "Restart policy of a detached container, carried out by the resident server:",
                "no, on-failure[:N], always or unless-stopped (alike in isola: its server restarts",
                "nothing when it starts). stop and kill end it for good. Needs -d (Docker also takes",
                "it for a foreground run) and the server (not with ISOLA_SERVER=off)."
            })
    String restart;

    @Option(
            names = {"-l", "--label"},
            paramLabel = "KEY[=VALUE]",
            description = "Set a label on the container (for ps --filter label=, inspect, --format {{.Labels}}).")
    List<String> labels = new ArrayList<>();

    @Option(
            names = "--cidfile",
            paramLabel = "FILE",
            description = "Write the container's id to FILE, which must not exist.")
    Path cidFile;

    @Option(
            names = "--init",
            description =
                    "Run an init (tini or catatonit from the host) as PID 1: it forwards signals and reaps zombies.")
    boolean init;

    /** The entries of every --env-file, in order, as -e would take them. */
    List<String> envFileEntries() {
        List<String> entries = new ArrayList<>();
        for (Path file : envFiles) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "env file \"" + file + "\": cannot be read (" + e.getMessage() + ")");
            }
            for (String line : lines) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    entries.add(trimmed);
                }
            }
        }
        return entries;
    }

    /** The init binary for --init; throws naming where it looked when there is none. */
    static Path initBinary() {
        for (Path candidate : INITS) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("--init: no init found at " + INITS + "; install tini or catatonit");
    }

    /** The --label entries, in order; KEY alone is KEY with an empty value, as in Docker. */
    Map<String, String> labels() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String label : labels) {
            int equals = label.indexOf('=');
            String key = equals < 0 ? label : label.substring(0, equals);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("label \"" + label + "\": expected KEY or KEY=VALUE");
            }
            map.put(key, equals < 0 ? "" : label.substring(equals + 1));
        }
        return map;
    }

    /** The --cidfile to write, or null. */
    CidFile cidFile() {
        return cidFile == null ? null : new CidFile(cidFile);
    }

    /** The --restart policy, parsed. */
    RestartPolicy restartPolicy() {
        return RestartPolicy.parse(restart);
    }

    /** Set for Docker's {@code create} ({@link io.isola.launcher.cli.DockerCreate}): registered, not started. */
    @Option(names = RunCommand.CREATE_ONLY, hidden = true)
    boolean createOnly;

    void validate() {
        if (createOnly) {
            detach = true; // start runs it in the background, as every start of a stopped container
        }
        labels();
        RestartPolicy policy = restartPolicy();
        if (policy.kind() != RestartPolicy.Kind.NO && remove) {
            throw new IllegalArgumentException(
                    "--restart " + restart + " with --rm: conflicting options, as in Docker; drop one");
        }
        if (policy.kind() != RestartPolicy.Kind.NO && !detach) {
            throw new IllegalArgumentException(
                    "--restart " + restart + ": isola restarts detached containers only; add -d");
        }
    }

    /** What the holder of a detached container keeps for {@code attach}: its terminal (-t), its stdin (-i). */
    ConsoleMode console() {
        return detach ? new ConsoleMode(tty, interactive) : ConsoleMode.NONE;
    }
}
