package io.isola.internal.security;

import io.isola.api.Security;
import io.isola.internal.nativ.Fds;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The label a security module gives the command at its execve ({@link AppArmorOnExec}, {@link
 * SelinuxOnExec}): the child writes it to one of its own {@code /proc/thread-self/attr} files.
 *
 * <p>The file is reached through a descriptor of the host's {@code /proc} that the child keeps,
 * never through the container's {@code /proc}: the image, a volume or the container's own processes
 * decide what that one is, and a fake one would swallow the write and leave the command unconfined
 * (runc's CVE-2019-16884). {@code thread-self} because a task may write only its own attributes
 * (EACCES for another's): the host cannot do it for the child.
 */
public sealed interface ExecLabel permits AppArmorOnExec, SelinuxOnExec {

    /**
     * The label {@code security} asks for on this host, or null for none to apply. A kernel runs
     * one of AppArmor and SELinux, so at most one of them is enabled, and a label for the other is
     * refused (a named AppArmor profile) or ignored (an SELinux label) before it gets here.
     */
    static ExecLabel of(Security security) {
        AppArmorOnExec appArmor = AppArmorOnExec.of(security);
        return appArmor != null ? appArmor : SelinuxOnExec.of(security);
    }

    /** The child's descriptor of the host's {@code /proc} (O_PATH, close-on-exec); -1 until {@link #through}. */
    int procFd();

    /** This label, written through {@code procFd}, the host's {@code /proc} as the child holds it. */
    ExecLabel through(int procFd);

    /**
     * The child's steps, given every fd it holds at that point (0-2 included): the attribute is
     * opened on the lowest free one, as the kernel hands it out, written and closed, and so is the
     * host's {@code /proc}.
     */
    List<Step> steps(Set<Integer> open);

    /** One attribute to write: {@code request} to {@code attr} (below {@code /proc}); {@code what} describes it for an error. */
    record AttrWrite(String attr, byte[] request, String what) {}

    /**
     * The steps that write {@code request} to {@code attr} (below {@code /proc}) through {@code
     * procFd}; {@code what} describes the write for an error.
     */
    static List<Step> writeSteps(int procFd, String attr, byte[] request, String what, Set<Integer> open) {
        return writeSteps(procFd, List.of(new AttrWrite(attr, request, what)), open);
    }

    /** The steps that make each of {@code writes} in order through {@code procFd}, then close it. */
    static List<Step> writeSteps(int procFd, List<AttrWrite> writes, Set<Integer> open) {
        if (procFd < 0) {
            throw new IllegalStateException("the host's /proc was not opened for the steps of "
                    + writes.stream().map(AttrWrite::attr).toList());
        }
        int fd = 0;
        while (open.contains(fd)) {
            fd++;
        }
        List<Step> steps = new ArrayList<>();
        for (AttrWrite write : writes) {
            steps.add(Step.call(
                    "open /proc/" + write.attr() + " through the host's /proc (expected as fd " + fd + ")",
                    LibcCall.OPENAT,
                    Arg.word(procFd),
                    Arg.text(write.attr()),
                    Arg.word(Fds.O_WRONLY | Fds.O_NOFOLLOW | Fds.O_CLOEXEC),
                    Arg.word(0)));
            steps.add(Step.call(
                    write.what(),
                    LibcCall.WRITE,
                    Arg.word(fd),
                    new Arg.Bytes(write.request()),
                    Arg.word(write.request().length)));
            steps.add(Step.call("close /proc/" + write.attr(), LibcCall.CLOSE, Arg.word(fd)));
        }
        steps.add(Step.call("close the host's /proc", LibcCall.CLOSE, Arg.word(procFd)));
        return List.copyOf(steps);
    }
}
