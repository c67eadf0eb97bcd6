package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The container's status as the CLI's, through {@link Main#execute}: containers run through Felix
 * with the bundles the build copied to target/bundles, as root against the real kernel.
 */
class MainIT {

    private final StringWriter err = new StringWriter();

    private int isola(String... args) {
        return Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    @Test
    void theContainersExitCodeIsTheCommandsStatus() {
        RootOnly.require();
        assertEquals(3, isola("run", "--hostname", "t", "--", "sh", "-c", "exit 3"), err::toString);
        assertEquals(0, isola("run", "--", "sh", "-c", "test \"$$\" = 1"), err::toString);
    }

    @Test
    void aSignalDeathIs128PlusTheSignal() {
        RootOnly.require();
        // Without a PID namespace: the kernel ignores SIGKILL that a namespace's init sends to itself.
        assertEquals(137, isola("run", "--no-pid", "--", "sh", "-c", "kill -9 $$"), err::toString);
    }

    @Test
    void optionsReachTheContainer() {
        RootOnly.require();
        String check = "test \"$(hostname)\" = box && test \"$(domainname)\" = lan && test \"$A\" = 1 && test \"$PWD\" = /tmp";
        assertEquals(0, isola("run", "--hostname", "box", "--domainname", "lan", "-e", "A=1", "-w", "/tmp",
                "--", "sh", "-c", check), err::toString);
    }

    @Test
    void aCommandThatCannotRunGives127Or126AsAShellDoes() {
        RootOnly.require();
        assertEquals(127, isola("run", "--", "no-such-command-anywhere"), err::toString);
        assertEquals(true, err.toString().contains("execute \"no-such-command-anywhere\" failed: ENOENT"), err::toString);
        assertEquals(126, isola("run", "--", "/etc/hostname"), err::toString);
    }
}
