package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker's --mount: type=bind, volume and tmpfs become binds and tmpfs mounts, never the command. */
class DockerMountFlagTest {

    private static ContainerSpec spec(String... args) {
        return DockerNamespaceFlagsTest.spec(args);
    }

    private static Filesystem filesystem(String... args) {
        return spec(args).extension(Filesystem.class).orElseThrow();
    }

    private static String refusal(String mount) {
        return assertThrows(IllegalArgumentException.class, () -> spec("run", "--mount", mount, "true"))
                .getMessage();
    }

    @Test
    void aBindMountIsAVolumeAndNotTheCommand() {
        ContainerSpec spec = spec("run", "--mount", "type=bind,src=/srv,dst=/data,ro", "true");
        assertEquals(List.of("true"), spec.command());
        assertEquals(
                List.of(new Volume("/srv", "/data", true)),
                spec.extension(Filesystem.class).orElseThrow().volumes());
        assertEquals(
                List.of(new Volume("/srv", "/data", false)),
                filesystem("run", "--mount", "type=bind,source=/srv,target=/data", "true")
                        .volumes());
        assertEquals(
                List.of(new Volume("/srv", "/data", true)),
                filesystem("run", "--mount=type=bind,source=/srv,destination=/data,readonly=true", "true")
                        .volumes());
        assertEquals(
                List.of(new Volume("/srv", "/data", false)),
                filesystem("run", "--mount", "type=bind,src=/srv,dst=/data,readonly=false", "true")
                        .volumes());
        assertEquals(
                List.of(new Volume("/srv", "/data", false, Set.of(Volume.Option.NONRECURSIVE))),
                filesystem("run", "--mount", "type=bind,src=/srv,dst=/data,bind-nonrecursive=true", "true")
                        .volumes());
        assertEquals(
                List.of(new Volume("/srv", "/data", false)),
                filesystem("run", "--mount", "type=bind,src=/srv,dst=/data,bind-propagation=rprivate", "true")
                        .volumes());
    }

    /** Docker's propagation of a bind, in --mount's and -v's forms, is the mount's own. */
    @Test
    void aBindTakesItsPropagation() {
        Filesystem shared =
                filesystem("run", "--mount", "type=bind,src=/srv,dst=/data,bind-propagation=shared", "true");
        assertEquals("shared", shared.propagation("/data").orElseThrow().mode());
        Filesystem viaV = filesystem("run", "-v", "/srv:/data:ro,rslave", "true");
        assertEquals(List.of(new Volume("/srv", "/data", true)), viaV.volumes());
        assertEquals("rslave", viaV.propagation("/data").orElseThrow().mode());
        assertEquals(
                "rshared",
                filesystem("run", "-v", "/srv:/data:rshared", "true")
                        .propagation("/data")
                        .orElseThrow()
                        .mode());
        assertEquals(
                Optional.empty(), filesystem("run", "-v", "/srv:/data", "true").propagation("/data"));
    }

    @Test
    void aTmpfsMountTakesSizeAndMode() {
        assertEquals(
                List.of(new TmpfsMount("/scratch", 64L << 20, 0700, false)),
                filesystem("run", "--mount", "type=tmpfs,dst=/scratch,tmpfs-size=64m,tmpfs-mode=700", "true")
                        .tmpfs());
        assertEquals(
                List.of(TmpfsMount.at("/scratch")),
                filesystem("run", "--mount", "type=tmpfs,target=/scratch", "true")
                        .tmpfs());
        assertEquals(
                List.of(new TmpfsMount("/s", 1024, 01777, false)),
                filesystem("run", "--mount", "type=tmpfs,dst=/s,tmpfs-size=1024", "true")
                        .tmpfs());
    }

    @Test
    void aVolumeMountBindsTheVolumesDataInTheStore(@TempDir Path root) {
        System.setProperty("isola.root", root.toString());
        try {
            String data = root.resolve("volumes/vol/_data").toString();
            assertEquals(
                    List.of(new Volume(data, "/data", true)),
                    filesystem("run", "--mount", "type=volume,src=vol,dst=/data,readonly", "true")
                            .volumes());
            assertEquals(
                    List.of(new Volume(data, "/data", false)),
                    filesystem("run", "--mount", "src=vol,dst=/data", "true").volumes(),
                    "without type, Docker means a volume");
            assertEquals(
                    List.of(new Volume(data, "/data", true)),
                    filesystem("run", "-v", "vol:/data:ro,nocopy", "true").volumes());
            Volume anonymous = filesystem("run", "--mount", "type=volume,dst=/cache", "true")
                    .volumes()
                    .get(0);
            assertEquals("/cache", anonymous.target());
            assertEquals(
                    true,
                    anonymous
                            .source()
                            .matches(Pattern.quote(root.resolve("volumes").toString()) + "/[0-9a-f]{64}/_data"),
                    anonymous.source());
            assertEquals(List.of(), List.of(root.toFile().list()), "a spec that is only checked makes no volume");
        } finally {
            System.clearProperty("isola.root");
        }
    }

    @Test
    void whatIsolaCannotDoIsRefusedByName() {
        assertEquals(
                "--mount \"type=volume,src=vol,dst=/data,volume-opt=type=nfs\": volume-opt is not supported by isola"
                        + " (its volumes are local directories without options)",
                refusal("type=volume,src=vol,dst=/data,volume-opt=type=nfs"));
        assertEquals(
                "--mount \"type=volume,src=vol,dst=/data,volume-driver=nfs\": volume-driver \"nfs\" is not supported by isola;"
                        + " expected local",
                refusal("type=volume,src=vol,dst=/data,volume-driver=nfs"));
        assertEquals(
                "--mount \"type=bind,src=/a,dst=/b,bind-propagation=sideways\": bind-propagation \"sideways\": expected one of"
                        + " [private, rprivate, rshared, rslave, runbindable, shared, slave, unbindable]",
                refusal("type=bind,src=/a,dst=/b,bind-propagation=sideways"));
        assertEquals(
                "--mount \"type=tmpfs,dst=/b,ro\": a read-only tmpfs is not supported by isola",
                refusal("type=tmpfs,dst=/b,ro"));
    }

    @Test
    void badSpecsNameTheValue() {
        assertEquals("--mount \"type=bind,dst=/b\": expected source=HOSTPATH (or src=)", refusal("type=bind,dst=/b"));
        assertEquals(
                "--mount \"type=bind,src=/a\": expected target=PATH (or dst=, destination=)",
                refusal("type=bind,src=/a"));
        assertEquals(
                "--mount \"type=bind,src=/a,dst=/b,colour=red\": key \"colour\" is not known, expected type, source, target,"
                        + " readonly, bind-nonrecursive, bind-propagation, volume-nocopy, tmpfs-size or tmpfs-mode",
                refusal("type=bind,src=/a,dst=/b,colour=red"));
        assertEquals(
                "--mount \"type=nfs,dst=/b\": type \"nfs\" is not known, expected bind, volume or tmpfs",
                refusal("type=nfs,dst=/b"));
        assertEquals(
                "--mount \"type=bind,src=a,dst=/b\": volume source \"a\": expected an absolute path without NUL bytes",
                refusal("type=bind,src=a,dst=/b"));
        assertEquals(
                "--mount \"type=volume,src=v,dst=/b\": volume name \"v\": expected 2 to 255 letters, digits and _ . -,"
                        + " starting with a letter or digit",
                refusal("type=volume,src=v,dst=/b"));
        assertEquals(
                "--mount \"type=volume,src=/a,dst=/b\": source \"/a\": a volume's source is its name; use type=bind for a host path",
                refusal("type=volume,src=/a,dst=/b"));
        assertEquals(
                "--mount \"type=bind,src=/a,dst=/b,volume-nocopy\": volume-nocopy does not go with type=bind",
                refusal("type=bind,src=/a,dst=/b,volume-nocopy"));
        assertEquals(
                "--mount \"type=tmpfs,dst=/b,tmpfs-mode=9\": tmpfs-mode \"9\": expected an octal number such as 1777",
                refusal("type=tmpfs,dst=/b,tmpfs-mode=9"));
        assertEquals(
                "--mount \"type=tmpfs,dst=/b,tmpfs-size=1q\": tmpfs-size \"1q\": expected a number of bytes with an optional k, m or g",
                refusal("type=tmpfs,dst=/b,tmpfs-size=1q"));
        assertEquals(
                "--mount \"type=bind,src=/a,dst=/b,ro=maybe\": readonly \"maybe\": expected true or false",
                refusal("type=bind,src=/a,dst=/b,ro=maybe"));
    }

    @Test
    void noMountRefusesMounts() {
        assertEquals(
                "--rootfs, --read-only, -v, --mount and --tmpfs need a mount namespace; drop --no-mount",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> spec("run", "--no-mount", "--mount", "type=tmpfs,dst=/x", "true"))
                        .getMessage());
    }
}
