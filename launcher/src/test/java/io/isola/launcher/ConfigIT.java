package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration directory through the CLI: an isolator turned off, a flag turning it back on,
 * bad values. Every case leaves no container in the state root: a run refused for its
 * configuration was registered before the configuration was read, and must not stay as a ghost.
 */
class ConfigIT {

    private final StringWriter err = new StringWriter();
    private Path conf;

    @TempDir
    Path root;

    @BeforeEach
    void conf() throws Exception {
        conf = Files.createTempDirectory("isola-conf-");
        Files.writeString(conf.resolve("isola.properties"), "plugins =\n");
    }

    @AfterEach
    void remove() throws Exception {
        try (var left = Files.list(root)) {
            assertEquals(
                    List.of(),
                    left.filter(Files::isDirectory)
                            .filter(dir -> Files.exists(dir.resolve("state.json")))
                            .map(dir -> dir.getFileName().toString())
                            .toList(),
                    "containers left in the state root");
        }
        try (var paths = Files.walk(conf)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private int isola(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        return Main.execute(
                all.toArray(String[]::new), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    @Test
    void anIsolatorTurnedOffInTheConfigIsNotThereAndAFlagBringsItBack() throws Exception {
        RootOnly.require();
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString();
        String sameUts = "test \"$(readlink /proc/self/ns/uts)\" = '" + host + "'";
        String otherUts = "test \"$(readlink /proc/self/ns/uts)\" != '" + host + "'";
        assertEquals(0, isola("--config", conf.toString(), "run", "--", "sh", "-c", otherUts), err::toString);

        Files.writeString(conf.resolve("io.isola.ns.uts.cfg"), "enabled = false\n");
        assertEquals(0, isola("--config", conf.toString(), "run", "--", "sh", "-c", sameUts), err::toString);
        assertEquals(
                0,
                isola("--config", conf.toString(), "run", "--uts", "private", "--", "sh", "-c", otherUts),
                err::toString);
    }

    @Test
    void aSettingReachesTheIsolator() {
        RootOnly.require();
        writeUts("domainname = example.org\n");
        assertEquals(
                0,
                isola("--config", conf.toString(), "run", "--", "sh", "-c", "test \"$(domainname)\" = example.org"),
                err::toString);
    }

    @Test
    void aBadValueIsReportedWithFileKeyAndWhatIsAllowed() {
        Path file = writeUts("domainname = not valid!\n");
        assertEquals(125, isola("--config", conf.toString(), "run", "--", "true"));
        assertTrue(
                err.toString().contains(file + ": domainname \"not valid!\": expected 1 to 64 letters, digits"),
                err::toString);
    }

    @Test
    void theUserNamespacesDefaultMappingComesFromItsFile() {
        RootOnly.require();
        write("io.isola.ns.user.cfg", "hostUidBase = 3100000\nhostGidBase = 3200000\nrangeSize = 70000\n");
        assertEquals(
                0,
                isola(
                        "--config",
                        conf.toString(),
                        "run",
                        "--userns",
                        "--",
                        "sh",
                        "-c",
                        "test \"$(cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | sed 's/^ //')\" = "
                                + "\"$(printf '0 3100000 70000\\n0 3200000 70000')\""),
                err::toString);
    }

    @Test
    void aBadUserNamespaceValueIsReportedWithFileKeyAndWhatIsAllowed() {
        Path file = write("io.isola.ns.user.cfg", "rangeSize = lots\n");
        assertEquals(125, isola("--config", conf.toString(), "run", "--userns", "--", "true"));
        assertTrue(
                err.toString().contains(file + ": rangeSize \"lots\": expected a number of ids from 1 to 4294967295"),
                err::toString);
        err.getBuffer().setLength(0);
        write("io.isola.ns.user.cfg", "hostUidBase = 4294967000\n");
        assertEquals(125, isola("--config", conf.toString(), "run", "--userns", "--", "true"));
        assertTrue(
                err.toString()
                        .contains(file + ": hostUidBase \"4294967000\": expected 0 (take it from /etc/subuid) or a "
                                + "host id from 1 to 4294901759 (rangeSize 65536 ids must fit)"),
                err::toString);
    }

    private Path write(String name, String text) {
        try {
            return Files.writeString(conf.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aBadEnabledValueIsReportedWithFileKeyAndWhatIsAllowed() {
        Path file = writeUts("enabled = sometimes\n");
        assertEquals(125, isola("--config", conf.toString(), "run", "--", "true"));
        assertEquals("isola: " + file + ": enabled \"sometimes\": expected true or false\n", err.toString());
    }

    @Test
    void aBadFrameworkSettingIsReported() throws Exception {
        Files.writeString(conf.resolve("isola.properties"), "poll = soon\n");
        assertEquals(125, isola("--config", conf.toString(), "run", "--", "true"));
        assertEquals(
                "isola: " + conf.resolve("isola.properties")
                        + ": poll \"soon\": expected milliseconds from 50 to 60000\n",
                err.toString());
    }

    private Path writeUts(String content) {
        try {
            Path file = conf.resolve("io.isola.ns.uts.cfg");
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
