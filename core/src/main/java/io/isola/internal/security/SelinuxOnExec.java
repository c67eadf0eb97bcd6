package io.isola.internal.security;

import io.isola.api.Security;
import io.isola.spi.Step;
import io.isola.spi.support.Selinux;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SELinux context a command runs in, applied as runc applies it (go-selinux's
 * SetExecLabel): the child writes the context to its own {@code attr/exec} (SELinux has no
 * directory of its own there) and the kernel moves the command into it at its execve. Written
 * right after the inherited fds are closed, as {@link AppArmorOnExec} is; the policy checks the
 * transition then, so a context it does not know fails that write (EINVAL) and names the step.
 *
 * <p>On a host that does not enable SELinux the label is ignored with a debug line, as runc and
 * buildah ignore it there: engines send their defaults whatever the host.
 *
 * @param label the context, {@code user:role:type[:level]}
 * @param procFd the child's descriptor of the host's {@code /proc}; -1 until the host opened it
 */
public record SelinuxOnExec(String label, int procFd) implements ExecLabel {

    private static final Logger LOG = LoggerFactory.getLogger(SelinuxOnExec.class);

    /** The attribute below {@code /proc}. */
    public static final String ATTR = "thread-self/attr/exec";

    /** The attribute that gives the keys the task creates their context. */
    public static final String KEY_ATTR = "thread-self/attr/keycreate";

    /** Whether the host's kernel enables SELinux ({@link Selinux}). */
    public record Host(boolean enabled) {
        public static Host ofThisHost() {
            return new Host(Selinux.enabled());
        }
    }

    /** The label {@code security} asks for on this host; see {@link #of(Security, Host)}. */
    public static SelinuxOnExec of(Security security) {
        return security.selinuxLabel().isEmpty() ? null : of(security, Host.ofThisHost());
    }

    /** The label {@code security} asks for on {@code host}, or null for none to apply. */
    public static SelinuxOnExec of(Security security, Host host) {
        String label = security.selinuxLabel().orElse(null);
        if (label == null) {
            return null;
        }
        if (!host.enabled()) {
            LOG.debug(
                    "SELinux label {}: this host does not enable SELinux ({} is missing); ignored",
                    label,
                    Selinux.ENFORCE);
            return null;
        }
        return new SelinuxOnExec(label, -1);
    }

    @Override
    public SelinuxOnExec through(int procFd) {
        return new SelinuxOnExec(label, procFd);
    }

    /**
     * Also the context of the keys the child creates: the session keyring it joins later (as runc
     * sets it, go-selinux's SetKeyLabel). Without it the keyring got the runtime's context, which
     * the container's may not use (its own keyring denied to it) or which leaves the container's
     * keys outside its label. The kernel resets it at execve, so the command creates keys as its
     * policy says.
     */
    @Override
    public List<Step> steps(Set<Integer> open) {
        byte[] context = label.getBytes(StandardCharsets.US_ASCII);
        return ExecLabel.writeSteps(
                procFd,
                List.of(
                        new ExecLabel.AttrWrite(
                                ATTR,
                                context,
                                "run the command in SELinux context \"" + label + "\" from its execve"
                                        + " (EINVAL: the loaded policy has no such context)"),
                        new ExecLabel.AttrWrite(
                                KEY_ATTR, context, "create the session keyring in SELinux context \"" + label + "\"")),
                open);
    }
}
