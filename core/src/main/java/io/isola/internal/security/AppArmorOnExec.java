package io.isola.internal.security;

import io.isola.api.Security;
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
 * <p>Through the host's {@code /proc}, for the reasons {@link ExecLabel} gives.
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
public record AppArmorOnExec(String profile, String attr, int procFd) implements ExecLabel {

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

    @Override
    public AppArmorOnExec through(int procFd) {
        return new AppArmorOnExec(profile, attr, procFd);
    }

    @Override
    public List<Step> steps(Set<Integer> open) {
        return ExecLabel.writeSteps(
                procFd,
                attr,
                ("exec " + profile).getBytes(StandardCharsets.US_ASCII),
                "confine the command with AppArmor profile \"" + profile + "\" from its execve"
                        + " (ENOENT: no such profile is loaded)",
                open);
    }
}
