package io.isola.launcher.cli.oci;

import io.isola.launcher.BuildInfo;
import io.isola.oci.OciFeatures;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** OCI {@code features}: what this runtime implements, in the runtime-spec's features.md format, laid out as runc's. */
@Command(name = "features", description = "Print the OCI features isola supports (OCI runtime verb).")
public final class FeaturesCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> features = OciFeatures.of(Map.of("io.isola.version", BuildInfo.version()));
        spec.commandLine().getOut().println(GoJson.indented(features, "    "));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
