package io.isola.oci;

import io.isola.api.ContainerSpec;
import io.isola.api.Join;
import io.isola.api.Stdio;
import java.util.ArrayList;
import java.util.List;

/** One OCI hook: a host program run with the container's state on stdin. */
public record Hook(String path, List<String> args, List<String> env, Integer timeoutSeconds) {

    public Hook {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
    }

    /**
     * The process of a hook that runs inside the container whose process {@code container} names
     * (createContainer, startContainer; see {@link Join} for how a reused pid is refused): it joins
     * that process's namespaces, reads the state on stdin, its stdout is discarded and its stderr is
     * the runtime's; its environment is the hook's own.
     */
    public ContainerSpec inContainerOf(Join container) {
        List<String> command = new ArrayList<>();
        command.add(path);
        if (args.size() > 1) {
            command.addAll(args.subList(1, args.size()));
        }
        ContainerSpec.Builder spec = ContainerSpec.builder(command)
                .stdin(Stdio.PIPE)
                .stdout(Stdio.NULL)
                .stderr(Stdio.INHERIT)
                .with(container);
        for (String entry : env) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                spec.env(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return spec.build();
    }
}
