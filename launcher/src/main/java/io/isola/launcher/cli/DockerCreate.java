package io.isola.launcher.cli;

import io.isola.launcher.cli.run.RunCommand;
import io.isola.launcher.client.Verbs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which {@code create} a command line means. The OCI verb's, as engines call it, names a bundle
 * ({@code -b}/{@code --bundle}) or passes one of its options ({@code --pid-file},
 * {@code --console-socket}, {@code --preserve-fds}, {@code --no-pivot}, {@code --no-new-keyring});
 * runc's bare {@code create ID} in a bundle directory (a {@code config.json} here) is the OCI
 * verb too. Anything else is Docker's {@code create [OPTIONS] IMAGE [COMMAND]}: {@code run -d}
 * that registers the container without starting it, for {@code start}.
 */
public final class DockerCreate {

    private static final Set<String> OCI_OPTIONS = Set.of(
            "-b", "--bundle", "--pid-file", "--console-socket", "--preserve-fds", "--no-pivot", "--no-new-keyring");

    private DockerCreate() {}

    /** {@code args} as {@code run --create-only ...} when they are Docker's create; else as they are. */
    public static String[] rewrite(String[] args) {
        int verb = Verbs.verbIndex(args);
        if (verb < 0 || !args[verb].equals("create") || isOci(List.of(args).subList(verb + 1, args.length))) {
            return args;
        }
        List<String> run = new ArrayList<>(List.of(args).subList(0, verb));
        run.add("run");
        run.add(RunCommand.CREATE_ONLY);
        run.addAll(List.of(args).subList(verb + 1, args.length));
        return run.toArray(String[]::new);
    }

    /** Decided by what comes first after the verb: an option (runc's take none after the id), or a lone id. */
    static boolean isOci(List<String> afterVerb) {
        if (afterVerb.isEmpty()) {
            return false;
        }
        String first = afterVerb.get(0);
        if (!first.startsWith("-")) {
            return afterVerb.size() == 1 && Files.isRegularFile(Path.of("config.json"));
        }
        String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
        return OCI_OPTIONS.contains(name)
                || name.equals("-h")
                || name.equals("--help")
                || (name.startsWith("-b") && !name.startsWith("--"));
    }
}
