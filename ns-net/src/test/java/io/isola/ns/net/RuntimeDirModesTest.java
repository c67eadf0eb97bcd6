package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The network runtime directory (network namespaces, leases) is its owner's only, also when an older isola left it open. */
class RuntimeDirModesTest {

    @TempDir
    Path tmp;

    @Test
    void aContainersDirectoryAndItsParentsAreTheOwnersOnly() throws Exception {
        Path runtime = Files.createDirectories(tmp.resolve("net/containers")).getParent();
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(runtime.resolve("containers"), PosixFilePermissions.fromString("rwxrwxrwx"));

        Path dir = new AttachmentStore(runtime).create("c1", JsonNodeFactory.instance.objectNode());

        for (Path path : new Path[] {runtime, runtime.resolve("containers"), dir}) {
            assertEquals(
                    "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), path.toString());
        }
    }
}
