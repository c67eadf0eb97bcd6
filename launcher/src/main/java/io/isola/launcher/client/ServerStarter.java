package io.isola.launcher.client;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starting this user's resident server: the JVM client and the thin create and exec do when they
 * find none and wait for it; an in-process OCI {@code create} does without waiting, for the
 * {@code start}, {@code state} and {@code delete} an engine calls next (those use a server that
 * runs, but never wait for one to boot: in-process they take ~0.5 s, a server ~1.5 s to come up).
 */
public final class ServerStarter {

    private static final String SETSID = "/usr/bin/setsid";

    private ServerStarter() {}

    /** Makes the server directory when it is missing; null when fit to hold the socket, else why not. */
    static String prepare(ServerAddress address, long uid) throws IOException {
        makeDirectory(address.dir());
        return address.unfitBecause(uid);
    }

    /** Makes a server directory (0700) and its parents when it is missing; the client's and the server's way alike. */
    public static void makeDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // another client or server made it meanwhile
            }
        }
    }

    /**
     * Starts the server detached from us: its output goes to a log beside the socket.
     *
     * <p>The server serves every later command of this user, so it must not keep what its first
     * caller happened to run with (an engine's shim or conmon, a script's sandbox): it gets
     * {@link #serverEnvironment} only, umask 022 and the root directory. no_new_privs cannot be
     * undone, so a caller that has it starts no server (its command runs in-process). The
     * caller's rlimits stay the server's (raising them is not a user's to do; docs/resident-server.md).
     *
     * @throws IOException when the server cannot be started, or must not be from this process
     */
    static Process spawn(ServerAddress address) throws IOException {
        if (noNewPrivileges()) {
            throw new IOException("this process has no_new_privs, which a server it started would keep for every"
                    + " later command: not starting one");
        }
        List<String> command = new ArrayList<>();
        String explicit = System.getProperty("isola.server.command");
        if (explicit != null) {
            command.addAll(Arrays.asList(explicit.trim().split("\\s+")));
        } else {
            command.add(Path.of(System.getProperty("isola.home", "."), "bin", "isola")
                    .toString());
        }
        if (Files.isExecutable(Path.of(SETSID))) {
            command.add(0, SETSID); // out of the client's session at once: a Ctrl-C there is not the server's
        }
        command.add("__server");
        command.add(address.socket().toString());
        // the umask the server's files are made with, whatever the caller's (a 0 would leave
        // what the server makes without an explicit mode open to everybody); sh cannot set it
        // after exec, nor can ProcessBuilder
        command.addAll(0, List.of("/bin/sh", "-c", "umask 022 && exec \"$@\"", "sh"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(new File("/")) // a resident process must not pin the first client's directory
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(address).toFile()))
                .redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        Map<String, String> kept = serverEnvironment(environment);
        environment.clear();
        environment.putAll(kept);
        environment.put("ISOLA_SERVER", "off");
        environment.put("MALLOC_ARENA_MAX", "2");
        return builder.start(); // only fds 0-2 go to it: an engine's sync pipes stay the engine's
    }

    /** The variables of the server's own environment: the keys of its address and what configures the installation. */
    private static final Set<String> SERVER_ENV = Set.of(
            "PATH",
            "HOME",
            "USER",
            "LOGNAME",
            "LANG",
            "LC_ALL",
            "LC_CTYPE",
            "TZ",
            "JAVA_HOME",
            "XDG_RUNTIME_DIR",
            "XDG_DATA_HOME",
            "XDG_CACHE_HOME",
            "XDG_CONFIG_HOME");

    /**
     * What of {@code env} the server keeps: {@link #SERVER_ENV} and isola's own {@code ISOLA_*}
     * (its configuration, state root, JVM options). Not the rest, which is the first caller's
     * (an engine's credentials, a shim's variables) and would be the server's for all its life;
     * each command brings its own environment to the server anyway.
     */
    static Map<String, String> serverEnvironment(Map<String, String> env) {
        Map<String, String> kept = new HashMap<>();
        for (Map.Entry<String, String> variable : env.entrySet()) {
            if (SERVER_ENV.contains(variable.getKey()) || variable.getKey().startsWith("ISOLA_")) {
                kept.put(variable.getKey(), variable.getValue());
            }
        }
        return kept;
    }

    /** Whether this process has no_new_privs set (which its children keep). */
    static boolean noNewPrivileges() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("NoNewPrivs:")) {
                return !line.substring("NoNewPrivs:".length()).strip().equals("0");
            }
        }
        return false;
    }

    static Path log(ServerAddress address) {
        return Path.of(address.socket().toString().replaceFirst("\\.sock$", ".log"));
    }

    /**
     * Starts the server of this environment in the background when none runs or starts already
     * (nobody holds its lock), unless {@code ISOLA_SERVER=off} or this JVM is not a
     * distribution's (no {@code isola.home}: an application or a test that embeds the CLI).
     * Returns at once; whatever goes wrong only means the next verbs run in-process.
     */
    public static void startIfNone(Map<String, String> env) {
        if ("off".equals(env.get("ISOLA_SERVER"))
                || (System.getProperty("isola.home") == null && System.getProperty("isola.server.command") == null)) {
            return;
        }
        try {
            long uid = ServerAddress.currentUid();
            ServerAddress address = ServerAddress.of(uid, env);
            if (prepare(address, uid) != null || serverHoldsLock(address)) {
                return;
            }
            spawn(address);
        } catch (IOException | RuntimeException e) {
            // the verbs that follow run in-process, as they would with no server at all
        }
    }

    /**
     * Starts the server of {@code address} unless one runs or starts already (then null), for a
     * caller that waits for it; a JVM that is not a distribution's (no {@code isola.home}) starts
     * none and says so: an IOException.
     */
    static Process spawnUnlessStarting(ServerAddress address) throws IOException {
        if (System.getProperty("isola.home") == null && System.getProperty("isola.server.command") == null) {
            throw new IOException("not a distribution's JVM: no server to start");
        }
        return serverHoldsLock(address) ? null : spawn(address);
    }

    /** Whether a server runs or starts: it holds {@code <socket>.lock} for its whole life. */
    private static boolean serverHoldsLock(ServerAddress address) throws IOException {
        try (FileChannel channel = FileChannel.open(
                        Path.of(address.socket() + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            return lock == null;
        }
    }
}
