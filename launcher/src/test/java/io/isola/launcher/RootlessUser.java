package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real user other than root, made for a test class (useradd gives it /etc/subuid and /etc/subgid
 * ranges, as on Debian), that runs the isola CLI in a JVM of its own through runuser, from a copy
 * of the test's class path and bundles it can read, without a resident server; its JVM runs with
 * C1 alone and the serial GC, as bin/isola runs a CLI (a command lives a second or two: C2's
 * compilations and G1's threads cost a second of CPU each, which the suite's 2 cores feel). {@link #close}
 * removes the user, its ranges, its home and what isola kept for it in the temporary directory.
 */
final class RootlessUser implements AutoCloseable {

    record Run(int code, String out, String err) {}

    final String name;
    final long uid;
    /** The first id of its /etc/subuid range. */
    final long sub;
    /** A directory every user may pass and read, for the copies and for what tests hand it. */
    final Path work;

    private final String classPath;
    private final Path bundles;
    /** What isola keeps for the uid in the temporary directory and a former user of the uid did not leave. */
    private final List<Path> own;

    private RootlessUser(String name, long uid, long sub, Path work, String classPath, Path bundles) {
        this.own = isolaDirs(uid).stream()
                .filter(p -> !Files.exists(p, LinkOption.NOFOLLOW_LINKS))
                .toList();
        this.name = name;
        this.uid = uid;
        this.sub = sub;
        this.work = work;
        this.classPath = classPath;
        this.bundles = bundles;
    }

    /** Skips the test, with the reason, where a user cannot be made or has no subordinate ids. */
    static RootlessUser create() throws Exception {
        RootOnly.require();
        for (String tool :
                List.of("/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/runuser", "/usr/bin/newuidmap")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is needed (packages passwd, util-linux, uidmap)");
        }
        String name = "isolarl" + ThreadLocalRandom.current().nextInt(10000, 99999);
        command(List.of("useradd", "--create-home", "--shell", "/bin/sh", name));
        Path work = null;
        try {
            long uid = Long.parseLong(command(List.of("id", "-u", name)).trim());
            long sub = Files.readAllLines(Path.of("/etc/subuid")).stream()
                    .filter(l -> l.startsWith(name + ":"))
                    .map(l -> Long.parseLong(l.split(":")[1]))
                    .findFirst()
                    .orElse(-1L);
            work = Files.createTempDirectory("isola-rootless-it");
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            String classPath = copyClassPath(Files.createDirectory(work.resolve("cp")));
            Path bundles = copy(Path.of(System.getProperty("isola.bundles")), work.resolve("bundles"));
            command(List.of("chmod", "-R", "a+rX", work.toString()));
            RootlessUser user = new RootlessUser(name, uid, sub, work, classPath, bundles);
            assumeTrue(sub >= 0, "useradd gave the test user no /etc/subuid range");
            return user;
        } catch (Exception | Error e) {
            remove(name, work, List.of());
            throw e;
        }
    }

    /** Runs {@code isola ARGS} as this user. */
    Run isola(String... args) throws Exception {
        return run(List.of(), args);
    }

    /**
     * Runs {@code isola ARGS} as this user, behind {@code wrapper} (a command run as root that ends
     * with runuser's command line: e.g. a private mount namespace).
     */
    Run run(List<String> wrapper, String... args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(
                "runuser",
                "-u",
                name,
                "--",
                "env",
                "ISOLA_SERVER=off",
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Disola.bundles=" + bundles,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                classPath,
                Main.class.getName()));
        command.addAll(List.of(args));
        return execute(command, List.of(args));
    }

    /**
     * Runs {@code isola ARGS} as this user the way bin/isola does for a served verb: a JVM client
     * that hands it to this user's resident server in {@code serverDir} (started by the first
     * command; {@link ResidentServers#stopAll} stops it), with {@code env} added.
     */
    Run served(Path serverDir, Map<String, String> env, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("runuser", "-u", name, "--", "env", "ISOLA_SERVER_IDLE=60"));
        env.forEach((key, value) -> command.add(key + "=" + value));
        command.addAll(List.of(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Disola.bundles=" + bundles,
                "-Disola.server.dir=" + serverDir,
                "-Disola.server.command=" + java + " -XX:-UsePerfData -Disola.bundles=" + bundles
                        + " -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp " + classPath + " "
                        + Main.class.getName(),
                "-cp",
                classPath,
                "io.isola.launcher.client.Client"));
        command.addAll(List.of(args));
        return execute(command, List.of(args));
    }

    private Run execute(List<String> command, List<String> args) throws Exception {
        Process process = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("isola " + args + " as " + name + " did not finish within 120 s");
        }
        return new Run(process.exitValue(), out, err.get());
    }

    /**
     * A script in {@link #work} that runs this class path's CLI with {@code bundles} (copied where
     * the user can read them), for an engine the user runs to take as its OCI runtime.
     */
    Path runtimeScript(Path bundles) throws Exception {
        Path readable = copy(bundles, work.resolve("runtime-bundles"));
        Path script = work.resolve("isola-runtime");
        Files.writeString(
                script,
                "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElse("java")
                        + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Disola.bundles=" + readable
                        + " -cp " + classPath
                        + " " + Main.class.getName() + " \"$@\"\n");
        command(List.of("chmod", "-R", "a+rX", readable.toString()));
        command(List.of("chmod", "755", script.toString()));
        return script;
    }

    /** Runs a shell command as this user. */
    String shell(String script) throws Exception {
        return command(List.of("runuser", "-u", name, "--", "sh", "-c", script));
    }

    Path home() {
        return Path.of("/home", name);
    }

    @Override
    public void close() throws Exception {
        remove(name, work, own);
    }

    private static List<Path> isolaDirs(long uid) {
        String tmp = System.getProperty("java.io.tmpdir");
        return List.of(
                Path.of(tmp, "isola-" + uid),
                Path.of(tmp, "isola-" + uid + "-mnt"),
                Path.of(tmp, "isola-server-" + uid));
    }

    private static void remove(String name, Path work, List<Path> isolaDirs) throws Exception {
        // --force: even while a container a failed test left behind still runs (the tests remove theirs)
        command(List.of("userdel", "--force", "--remove", name), true);
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            Path path = Path.of(file);
            Files.write(
                    path,
                    Files.readAllLines(path).stream()
                            .filter(l -> !l.startsWith(name + ":"))
                            .toList());
        }
        List<Path> trees = new ArrayList<>();
        if (work != null) {
            trees.add(work);
        }
        trees.addAll(isolaDirs);
        for (Path tree : trees) {
            if (Files.exists(tree)) {
                command(List.of("rm", "-rf", "--one-file-system", tree.toString()), true);
            }
        }
    }

    private static String copyClassPath(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (Files.exists(source)) {
                entries.add(copy(source, dir.resolve(i++ + "-" + source.getFileName()))
                        .toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path copy(Path source, Path target) throws IOException {
        try (Stream<Path> tree = Files.walk(source)) {
            for (Path p : tree.sorted(Comparator.naturalOrder()).toList()) {
                Path copy = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    static String command(List<String> command) throws Exception {
        return command(command, false);
    }

    private static String command(List<String> command, boolean tolerateFailure) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || (process.exitValue() != 0 && !tolerateFailure)) {
            throw new IllegalStateException(command + " failed: " + out);
        }
        return out;
    }
}
