package io.isola.oci;

import java.util.List;

/** One OCI hook: a host program run with the container's state on stdin. */
public record Hook(String path, List<String> args, List<String> env, Integer timeoutSeconds) {

    public Hook {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
