package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.IdMapping;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.spi.support.HostIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How maps are chosen and checked, without a kernel: every refusal names the range. */
class MapPlannerTest {

    private static final MapPlanner.Defaults DEFAULTS = new MapPlanner.Defaults("isola", 0, 0, 65536);
    private static final SubordinateIds SUB = SubordinateIds.parse(List.of(
            "# comment", "alice:100000:65536", "1234:300000:65536", "isola:500000:65536", "broken line", "bob:x:1"));
    private static final HostIdentity ALICE = new HostIdentity(1000, 1000);
    private static final HostIdentity ROOT = new HostIdentity(0, 0);

    private final MapPlanner planner = new MapPlanner(DEFAULTS, SUB, SUB, true);

    @Test
    void rootMapsTheSubordinateRangeOfIsolaByDefault() {
        MapPlan plan = planner.plan(UserNamespace.defaultMapping(), ROOT, "root");
        assertEquals(List.of(new IdMapping(0, 500000, 65536)), plan.uids());
        assertEquals(List.of(new IdMapping(0, 500000, 65536)), plan.gids());
        assertEquals(MapPlan.Writer.DIRECT, plan.writer());
    }

    @Test
    void aConfiguredBaseWinsOverSubuid() {
        MapPlan plan = new MapPlanner(new MapPlanner.Defaults("isola", 700000, 0, 1000), SUB, SUB, true)
                .plan(null, ROOT, "root");
        assertEquals(List.of(new IdMapping(0, 700000, 1000)), plan.uids());
        assertEquals(List.of(new IdMapping(0, 700000, 1000)), plan.gids());
    }

    @Test
    void rootWithoutARangeIsToldWhatToAdd() {
        MapPlanner none =
                new MapPlanner(DEFAULTS, SubordinateIds.parse(List.of()), SubordinateIds.parse(List.of()), true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> none.plan(null, ROOT, "root"));
        assertEquals(
                "--userns: no host ids for the default mapping: /etc/subuid has no range of 65536 ids for user \"isola\"; "
                        + "add one (e.g. isola:100000:65536 to /etc/subuid and /etc/subgid) or give --uidmap",
                e.getMessage());
    }

    @Test
    void rootMapsAnyHostRange() {
        UserNamespace ns = UserNamespace.parse(List.of("0:42:1", "1:900000:10"), List.of());
        MapPlan plan = planner.plan(ns, ROOT, "root");
        assertEquals(ns.uidMappings(), plan.uids());
        assertEquals(ns.uidMappings(), plan.gids(), "without gid maps, gids map as uids do");
    }

    @Test
    void aRootlessUserMapsItsOwnIdToRootAndItsRangeAbove() {
        MapPlan plan = planner.plan(null, ALICE, "alice");
        assertEquals(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)), plan.uids());
        assertEquals(MapPlan.Writer.HELPER, plan.writer());
        assertTrue(plan.setgroupsAllowed());
    }

    @Test
    void subuidEntriesMayNameTheUserByUid() {
        MapPlan plan = planner.plan(null, new HostIdentity(1234, 1234), "carol");
        assertEquals(new IdMapping(1, 300000, 65536), plan.uids().get(1));
    }

    @Test
    void withoutHelpersOrRangesARootlessUserMapsOnlyItself() {
        MapPlan withoutHelpers = new MapPlanner(DEFAULTS, SUB, SUB, false).plan(null, ALICE, "alice");
        MapPlan withoutRange = planner.plan(null, new HostIdentity(2000, 2001), "dave");
        for (MapPlan plan : List.of(withoutHelpers, withoutRange)) {
            assertEquals(MapPlan.Writer.SELF, plan.writer());
            assertFalse(plan.setgroupsAllowed(), "the kernel needs setgroups denied before an unprivileged gid map");
            assertEquals(1, plan.uids().size());
        }
        assertEquals(List.of(new IdMapping(0, 2001, 1)), withoutRange.gids());
    }

    @Test
    void aRootlessUserCannotMapIdsThatAreNotItsOwn() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> planner.plan(
                        UserNamespace.parse(List.of("0:1000:1", "1:200000:65536"), List.of()), ALICE, "alice"));
        assertEquals(
                "uid map \"1:200000:65536\": host uids 200000-265535 are not yours to map; as uid 1000 you may map "
                        + "your own uid 1000 and the /etc/subuid ranges [100000-165535]",
                e.getMessage());
        IllegalArgumentException past = assertThrows(
                IllegalArgumentException.class,
                () -> planner.plan(UserNamespace.parse(List.of("0:100000:65537"), List.of()), ALICE, "alice"));
        assertTrue(
                past.getMessage().startsWith("uid map \"0:100000:65537\": host uids 100000-165536 are not yours"),
                past.getMessage());
        IllegalArgumentException gid = assertThrows(
                IllegalArgumentException.class,
                () -> planner.plan(UserNamespace.parse(List.of("0:1000:1"), List.of("0:0:1")), ALICE, "alice"));
        assertTrue(
                gid.getMessage().startsWith("gid map \"0:0:1\": host gids 0-0 are not yours to map"), gid.getMessage());
    }

    @Test
    void mappingARangeWithoutTheHelpersSaysWhichPackageIsMissing() {
        MapPlanner noHelpers = new MapPlanner(DEFAULTS, SUB, SUB, false);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> noHelpers.plan(
                        UserNamespace.parse(List.of("0:1000:1", "1:100000:10"), List.of()), ALICE, "alice"));
        assertEquals(
                "uid map \"1:100000:10\": mapping ids other than your own needs newuidmap and newgidmap, which are "
                        + "not installed (Debian package uidmap)",
                e.getMessage());
        assertEquals(
                MapPlan.Writer.SELF,
                noHelpers
                        .plan(UserNamespace.parse(List.of("0:1000:1"), List.of()), ALICE, "alice")
                        .writer());
    }

    @Test
    void theProcessUserMustBeMapped() {
        MapPlan self = planner.plan(UserNamespace.parse(List.of("0:1000:1"), List.of()), ALICE, "alice");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> self.checkCovers(ProcessUser.parse("1000:1000")));
        assertEquals(
                "--user \"1000:1000\": uid 1000 is not mapped in the container's user namespace (uid maps [0:1000:1])",
                e.getMessage());
        IllegalArgumentException groups =
                assertThrows(IllegalArgumentException.class, () -> self.checkCovers(ProcessUser.of(0, 0, 0)));
        assertTrue(groups.getMessage().contains("cannot set groups"), groups.getMessage());
        MapPlan noRoot = planner.plan(UserNamespace.parse(List.of("1:1000:1"), List.of()), ALICE, "alice");
        IllegalArgumentException root = assertThrows(IllegalArgumentException.class, () -> noRoot.checkCovers(null));
        assertTrue(
                root.getMessage().startsWith("uid maps [1:1000:1]: container uid 0 is not mapped"), root.getMessage());
        planner.plan(null, ALICE, "alice").checkCovers(ProcessUser.of(1000, 1000, 10, 20));
    }
}
