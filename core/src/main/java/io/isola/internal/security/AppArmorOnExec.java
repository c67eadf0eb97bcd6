package io.isola.internal.security;

import io.isola.api.Security;
import io.isola.internal.nativ.Fds;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AppArmor profile a command is confined by, applied as runc applies it (libapparmor's
 * aa_change_onexec): the child writes {@code exec PROFILE} to its own {@code attr/apparmor/exec}
 * ({@code attr/exec} before Linux 5.8, which has no directory per module) as soon as its inherited
 * fds are closed (the steps name the fd the openat gets, so they run where the open fds are known),
 * and the kernel switches profiles at its execve.
 *
 * <p>The file is reached through a descriptor of the host's {@code /proc} that the child keeps,
 * never through the container's {@code /proc}: the image, a volume or the container's own processes
 * decide what that one is, and a fake one would swallow the write and leave the command unconfined
 * (runc's CVE-2019-16884). {@code thread-self} because a task may write only its own attributes
 * (EACCES for another's): the host cannot do it for the child.
 *
 * <p>On a host that does not enable AppArmor a named profile is refused, as runc refuses it (its
 * write fails there with EINVAL); {@code unconfined} is what the command is there anyway, so it is
 * ignored (runc refuses that too, crun ignores both; engines send neither to such a host).
 *
 * @param profile the profile's name, or {@link #UNCONFINED}
 * @param attr the attribute's path below {@code /proc}
 * @param procFd the child's descriptor of the host's {@code /proc} ({@code O_PATH}, close-on-exec);
 *     -1 until the host opened it ({@link #through})
 */
public record AppArmorOnExec(String profile, String attr, int procFd) {

    private static final Logger LOG = LoggerFactory.getLogger(AppArmorOnExec.class);

    public static final String UNCONFINED = "unconfined";

    /** What the host's kernel offers: AppArmor enabled, and its own attribute directory (5.8+). */
    public record Host(boolean enabled, boolean moduleAttrs) {
        /** Y where the kernel runs AppArmor (built in and chosen at boot), as runc and crun read it. */
        public static final String PARAMETER = "/sys/module/apparmor/parameters/enabled";

        /** Read once, when a profile is first asked for: a kernel's LSMs are chosen at boot. */
        public static Host ofThisHost() {
            return ThisHost.HOST;
        }

        static Host read() {
            boolean enabled;
            try {
                enabled = Files.readString(Path.of(PARAMETER), StandardCharsets.US_ASCII)
                        .startsWith("Y");
            } catch (IOException e) {
                enabled = false; // no module: neither built in nor loaded
            }
            return new Host(enabled, Files.exists(Path.of("/proc/self/attr/apparmor/exec")));
        }
    }

    private static final class ThisHost {
        static final Host HOST = Host.read();
    }

    /** The profile {@code security} asks for on this host; see {@link #of(Security, Host)}. */
    public static AppArmorOnExec of(Security security) {
        return security.appArmorProfile().isEmpty() ? null : of(security, Host.ofThisHost());
    }

    /**
     * The profile {@code security} asks for on {@code host}, or null for none to apply; an
     * {@link IllegalArgumentException} for a profile the host cannot apply.
     */
    public static AppArmorOnExec of(Security security, Host host) {
        String profile = security.appArmorProfile().orElse(null);
        if (profile == null) {
            return null;
        }
        if (!host.enabled()) {
            if (profile.equals(UNCONFINED)) {
                LOG.debug("AppArmor profile unconfined: this host does not enable AppArmor, the command is unconfined");
                return null;
            }
            throw new IllegalArgumentException(
                    "AppArmor profile \"" + profile + "\": this host does not enable AppArmor (" + Host.PARAMETER
                            + " is not Y), so nothing would confine the command; expected no profile, or unconfined");
        }
        return new AppArmorOnExec(
                profile, host.moduleAttrs() ? "thread-self/attr/apparmor/exec" : "thread-self/attr/exec", -1);
    }

    /** This profile, written through {@code procFd}, the host's {@code /proc} as the child holds it. */
    public AppArmorOnExec through(int procFd) {
        return new AppArmorOnExec(profile, attr, procFd);
    }

    /**
     * The child's steps, given every fd it holds at that point (0-2 included): the attribute is
     * opened on the lowest free one, as the kernel hands it out, written and closed, and so is the
     * host's {@code /proc}.
     */
    public List<Step> steps(Set<Integer> open) {
        if (procFd < 0) {
            throw new IllegalStateException("the host's /proc was not opened for the AppArmor steps");
        }
        int fd = 0;
        while (open.contains(fd)) {
            fd++;
        }
        byte[] request = ("exec " + profile).getBytes(StandardCharsets.US_ASCII);
        return List.of(
                Step.call(
                        "open /proc/" + attr + " through the host's /proc (expected as fd " + fd + ")",
                        LibcCall.OPENAT,
                        Arg.word(procFd),
                        Arg.text(attr),
                        Arg.word(Fds.O_WRONLY | Fds.O_NOFOLLOW | Fds.O_CLOEXEC),
                        Arg.word(0)),
                Step.call(
                        "confine the command with AppArmor profile \"" + profile + "\" from its execve"
                                + " (ENOENT: no such profile is loaded)",
                        LibcCall.WRITE,
                        Arg.word(fd),
                        new Arg.Bytes(request),
                        Arg.word(request.length)),
                Step.call("close /proc/" + attr, LibcCall.CLOSE, Arg.word(fd)),
                Step.call("close the host's /proc", LibcCall.CLOSE, Arg.word(procFd)));
    }
}
