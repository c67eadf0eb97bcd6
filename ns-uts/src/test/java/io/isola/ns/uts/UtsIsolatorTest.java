package io.isola.ns.uts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UtsIsolatorTest {

    private Isola isola = Isola.builder().isolators(List.of(new UtsIsolator())).build();

    @AfterEach
    void tearDown() {
        isola.close();
    }

    @Test
    void theContainerHasItsOwnHostAndDomainNameAndTheHostKeepsItsOwn() throws Exception {
        String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        String domainname = Files.readString(Path.of("/proc/sys/kernel/domainname"));

        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh", "-c", "hostname; cat /proc/sys/kernel/domainname; readlink /proc/self/ns/uts")
                        .hostname("box")
                        .domainname("example.org")
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        String[] lines = outcome.out().split("\n");
        assertEquals("box", lines[0]);
        assertEquals("example.org", lines[1]);
        assertNotEquals(HostState.namespaceOf("uts"), lines[2]);
        assertEquals(hostname, Files.readString(Path.of("/proc/sys/kernel/hostname")));
        assertEquals(domainname, Files.readString(Path.of("/proc/sys/kernel/domainname")));
    }

    @Test
    void withoutAHostNameTheContainerIsNamedAfterItsId() throws Exception {
        Outcome outcome = Outcome.of(
                isola, ContainerSpec.builder("hostname").id("0123456789abcdef").build());
        assertEquals("0123456789ab\n", outcome.out());
    }

    @Test
    @SuppressWarnings("BadAnnotationImplementation") // handed to the constructor only, never compared
    void theConfiguredDomainNameIsTheDefault() throws Exception {
        UtsIsolator configured = new UtsIsolator(new UtsIsolator.Config() {
            @Override
            public String domainname() {
                return "corp.test";
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return UtsIsolator.Config.class;
            }
        });
        try (Isola custom = Isola.builder().isolators(List.of(configured)).build()) {
            assertEquals(
                    "corp.test\n",
                    Outcome.of(
                                    custom,
                                    ContainerSpec.builder("cat", "/proc/sys/kernel/domainname")
                                            .build())
                            .out());
        }
    }
}
