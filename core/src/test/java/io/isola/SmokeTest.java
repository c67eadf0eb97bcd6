package io.isola;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.Stdio;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void runsEcho() throws Exception {
        try (Isola isola = Isola.builder().isolators(List.of()).build()) {
            ContainerSpec spec = ContainerSpec.builder("sh", "-c", "echo hello $$").stdout(Stdio.PIPE).isolators(Set.of()).build();
            try (Container c = isola.start(spec)) {
                String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
                ExitStatus st = c.waitFor();
                System.out.println("OUT=" + out + " status=" + st);
                assertEquals(0, st.exitCode());
            }
        }
    }
}
