package io.isola.ns.user;

import io.isola.api.*;
import io.isola.spi.Namespace;
import io.isola.testing.*;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        UserIsolator user = new UserIsolator(new MapPlanner.Defaults("isola", 200000, 0, 65536), Path.of("/etc"), Path.of("/proc"));
        try (Isola isola = Isola.builder().isolators(List.of(user, TestIsolator.plain("uts", Namespace.UTS))).build()) {
            Outcome o = Outcome.of(isola, ContainerSpec.builder("sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; grep -E 'Cap|Uid|Gid' /proc/self/status; hostname x && hostname").with(UserNamespace.defaultMapping()).build());
            System.out.println("STATUS " + o.status() + "\nOUT\n" + o.out() + "ERR\n" + o.err());
        }
    }
}
