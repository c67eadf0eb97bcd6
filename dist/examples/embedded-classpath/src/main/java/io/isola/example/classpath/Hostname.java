package io.isola.example.classpath;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.Stdio;
import java.nio.charset.StandardCharsets;

/** The "without OSGi" example of docs/embedding.md as it is written there: a container named x says its name. */
public final class Hostname {

    private Hostname() {}

    public static void main(String[] args) throws Exception {
        try (Isola isola = Isola.fromServiceLoader()) {
            ContainerSpec spec = ContainerSpec.builder("sh", "-c", "hostname")
                    .hostname("x")
                    .stdout(Stdio.PIPE)
                    .build();
            try (Container container = isola.start(spec)) {
                String output = new String(container.stdout().readAllBytes(), StandardCharsets.UTF_8);
                ExitStatus status = container.waitFor();     // exited with code 0
                System.out.print(output);                    // x
            }
        }
    }
}
