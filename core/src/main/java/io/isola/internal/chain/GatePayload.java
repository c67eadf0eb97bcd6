package io.isola.internal.chain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What the host writes through the gate: the exec candidates, NUL-terminated, back to back. Until
 * it arrives, the child's copy is all zeros, so every execve gets "" and fails.
 */
public final class GatePayload {

    /** A pipe write of at most PIPE_BUF bytes is atomic, so one read in the child gets it all. */
    static final int MAX_BYTES = 4096;

    private GatePayload() {}

    public static byte[] of(ChildProgram.Exec exec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String candidate : exec.candidates()) {
            out.writeBytes(candidate.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        if (out.size() > MAX_BYTES) {
            throw new IllegalArgumentException("command \"" + exec.argv().get(0) + "\": its "
                    + exec.candidates().size() + " candidate paths take " + out.size() + " bytes, at most " + MAX_BYTES
                    + " are allowed (shorten PATH)");
        }
        return out.toByteArray();
    }
}
