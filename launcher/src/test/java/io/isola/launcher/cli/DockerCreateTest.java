package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which create a command line means: the OCI verb's with a bundle or an OCI option, else Docker's. */
class DockerCreateTest {

    private static List<String> rewrite(String... args) {
        return List.of(DockerCreate.rewrite(args));
    }

    @Test
    void aBundleOrAnOciOptionKeepsTheOciVerb() {
        for (List<String> oci : List.of(
                List.of("create", "--bundle", "/b", "id"),
                List.of("create", "-b", "/b", "id"),
                List.of("create", "--bundle=/b", "id"),
                List.of("--root", "/r", "create", "--pid-file", "/p", "id"),
                List.of("create", "--console-socket", "/s", "id"),
                List.of("create", "--help"))) {
            assertEquals(oci, rewrite(oci.toArray(String[]::new)), oci.toString());
        }
    }

    @Test
    void anythingElseIsDockersCreateAsRunThatDoesNotStart() {
        assertEquals(
                List.of("--root", "/r", "run", "--create-only", "--name", "web", "busybox", "sleep", "9"),
                rewrite("--root", "/r", "create", "--name", "web", "busybox", "sleep", "9"));
        assertEquals(
                List.of("run", "--create-only", "busybox", "sh", "-c", "--bundle"),
                rewrite("create", "busybox", "sh", "-c", "--bundle"));
        assertEquals(List.of("run", "--create-only", "--", "true"), rewrite("create", "--", "true"));
        assertEquals(List.of("run", "--create-only", "busybox", "--bundle"), rewrite("create", "busybox", "--bundle"));
        assertEquals(List.of("ps", "create"), rewrite("ps", "create"), "only the verb");
    }
}
