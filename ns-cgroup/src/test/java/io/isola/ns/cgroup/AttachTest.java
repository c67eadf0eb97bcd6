package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.CgroupLocation;
import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CgroupIsolator#attach}: what {@code isola pause/resume/stats ID} do from a new process,
 * played here by a second isolator instance that only has the recorded location.
 */
class AttachTest {

    private final Isola isola = CgroupTesting.runtime();
    private final CgroupIsolator another = new CgroupIsolator(CgroupTesting.PARENT, null);

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    @Test
    void anotherInstanceReachesTheCgroupFromItsRecordedLocation() throws Exception {
        try (Container container = isola.start(ContainerSpec.builder("sleep", "60")
                .with(Resources.builder().pidsLimit(30).build())
                .build())) {
            ResourceControl own = container.facet(ResourceControl.class).orElseThrow();
            CgroupLocation location = own.location().orElseThrow();
            assertEquals(CgroupTesting.PARENT + "/" + container.id(), location.path());
            assertTrue(
                    location.dirs().values().stream().allMatch(d -> d.endsWith("/" + location.path())),
                    location::toString);

            ResourceControl attached = another.attach(container.id(), location);
            ResourceStats stats = attached.stats();
            assertEquals(1, stats.pids());
            assertEquals(30, stats.pidsLimit().getAsLong());
            attached.pause();
            assertTrue(own.paused(), "the same cgroup");
            attached.resume();
            assertFalse(own.paused());
            container.kill(9);
            container.waitFor();
        }
    }

    @Test
    void aLocationIsolaDidNotMakeIsRefused() throws Exception {
        try (Container container =
                isola.start(ContainerSpec.builder("sleep", "60").build())) {
            CgroupLocation location = container
                    .facet(ResourceControl.class)
                    .orElseThrow()
                    .location()
                    .orElseThrow();
            for (String path : List.of(
                    "../../etc",
                    "/" + location.path(),
                    CgroupTesting.PARENT + "/other",
                    CgroupTesting.PARENT + "/other-" + container.id() + "x",
                    CgroupTesting.PARENT + "/" + container.id() + ".slice",
                    CgroupTesting.PARENT + "/../" + container.id(),
                    container.id())) {
                IsolaException e = assertThrows(
                        IsolaException.class,
                        () -> another.attach(container.id(), new CgroupLocation("x", path, Map.of())));
                assertEquals(
                        "container " + container.id() + ": its recorded cgroup \"" + path
                                + "\" is not one named after it (<parent>/<id> as isola makes them, or an engine's"
                                + " <parent>/<prefix>-<id>[.scope])",
                        e.getMessage());
            }
            container.kill(9);
            container.waitFor();
            container.close();
            IsolaException gone = assertThrows(IsolaException.class, () -> another.attach(container.id(), location));
            assertEquals(
                    "container " + container.id() + ": its cgroup " + location.path()
                            + " is gone (the container has ended)",
                    gone.getMessage());
        }
    }
}
