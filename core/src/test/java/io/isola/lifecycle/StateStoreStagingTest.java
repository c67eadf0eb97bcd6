package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's directory appears whole (with its state) or not at all: a process SIGKILLed while
 * registering a container leaves only a staging directory named after itself, which the next
 * listing removes once that process is gone, and never a container directory that no command lists.
 */
class StateStoreStagingTest {

    @TempDir
    Path root;

    @Test
    void aContainerDirectoryIsNeverSeenWithoutItsState() throws Exception {
        StateStore store = new StateStore(root);
        ContainerState state = Monitor.register(
                store, Monitor.newId(), "whole", ContainerSpec.builder("true").build(), false, true);

        try (var entries = Files.list(root)) {
            assertEquals(
                    List.of(root.resolve(state.id())),
                    entries.filter(Files::isDirectory).toList());
        }
        assertTrue(Files.exists(root.resolve(state.id()).resolve(StateStore.STATE_FILE)));
    }

    @Test
    void whatAKilledRegistrationLeftIsRemovedByTheNextListing() throws Exception {
        StateStore store = new StateStore(root);
        store.locked(() -> null); // the root, as a first command makes it
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        ProcessIdentity dead = new ProcessIdentity(gone.pid(), 1);
        Path left = Files.createDirectory(
                root.resolve(".new-" + Monitor.newId() + "-" + dead.pid() + "-" + dead.startTime()));
        Files.writeString(left.resolve(StateStore.STATE_FILE), "{\"id\":");
        ProcessIdentity self = ProcessIdentity.self();
        Path ours = Files.createDirectory(
                root.resolve(".new-" + Monitor.newId() + "-" + self.pid() + "-" + self.startTime()));

        assertEquals(List.of(), store.list());

        assertFalse(Files.exists(left), "the staging directory of a process that is gone");
        assertTrue(Files.exists(ours), "the staging directory of a registration under way");
    }
}
