package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.isola.ns.net.cni.CniClient;
import io.isola.ns.net.cni.PluginPath;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder names a required part that was left out, and keeps the joined namespace and its directory together. */
class NetworkIsolationBuilderTest {

    private static final Path RUN = Path.of("/nonexistent/isola-net");

    /** Every required part, none optional: a {@code --net none} container as root. */
    private static NetworkIsolationBuilder required() {
        CniClient cni = new CniClient(PluginPath.parse(PluginPath.DEFAULT));
        AttachmentStore store = new AttachmentStore(RUN);
        Path dir = store.dirOf("c1");
        return NetworkIsolation.builder()
                .cni(cni)
                .connected(new ConnectedNetworks(cni, RUN))
                .store(store)
                .dir(dir)
                .state(JsonNodeFactory.instance.objectNode())
                .id("c1")
                .hostname("c1")
                .etc(new EtcFiles(dir, true))
                .names(new NetworkIsolation.Names(ResolvConf.NOTHING_ASKED, List.of(), new PeerHosts(store, RUN)));
    }

    @Test
    void buildsFromTheRequiredPartsAlone() {
        assertDoesNotThrow(() -> required().build());
    }

    @Test
    void namesAMissingRequiredPart() {
        assertEquals(
                "cni",
                assertThrows(
                                NullPointerException.class,
                                () -> NetworkIsolation.builder().build())
                        .getMessage());
        assertEquals(
                "state",
                assertThrows(
                                NullPointerException.class,
                                () -> required().state(null).build())
                        .getMessage());
    }

    @Test
    void refusesAJoinedNamespaceWithoutItsDirectory() {
        assertThrows(
                IllegalStateException.class,
                () -> required().joinedDir(RUN.resolve("containers/other")).build());
    }
}
