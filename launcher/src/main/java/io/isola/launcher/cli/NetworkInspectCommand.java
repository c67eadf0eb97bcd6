package io.isola.launcher.cli;

import io.isola.launcher.cli.format.InspectOutput;
import io.isola.spi.support.NetworkInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola network inspect NETWORK...}: Docker's fields of each network, as JSON or through a Go template. */
@Command(
        name = "inspect",
        description = {
            "Show networks as JSON (Docker's fields: Name, Id, Driver, IPAM.Config, Internal,",
            "Containers with their IPv4Address, Labels); -f: json or a Go template, once per network",
            "({{range .IPAM.Config}}{{.Subnet}}{{end}})."
        })
final class NetworkInspectCommand implements Callable<Integer> {

    @ParentCommand
    private NetworkCommand network;

    @Spec
    private CommandSpec spec;

    @Mixin
    private InspectFormat format;

    @Parameters(arity = "1..*", paramLabel = "NETWORK")
    private List<String> names;

    @Override
    public Integer call() throws IOException {
        InspectOutput output = format.output();
        List<NetworkInfo> found = network.admin(admin -> names.stream()
                .map(name -> admin.find(name)
                        .or(() -> admin.list().stream()
                                .filter(n -> n.id().startsWith(name) && name.length() >= 3)
                                .findFirst())
                        .orElseThrow(() -> new IllegalArgumentException("network " + name + " not found")))
                .toList());
        List<Map<String, Object>> shown = new ArrayList<>();
        for (NetworkInfo info : found) {
            shown.add(fields(info));
        }
        output.print(spec.commandLine().getOut(), shown);
        return 0;
    }

    /** Docker's fields, in Docker's order. */
    private Map<String, Object> fields(NetworkInfo info) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Name", info.name());
        fields.put("Id", info.id());
        fields.put("Created", info.created());
        fields.put("Scope", "local");
        fields.put("Driver", "bridge");
        fields.put("EnableIPv6", false);
        Map<String, Object> config = new LinkedHashMap<>();
        if (!info.subnet().isEmpty()) {
            config.put("Subnet", info.subnet());
        }
        if (!info.gateway().isEmpty()) {
            config.put("Gateway", info.gateway());
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        ipam.put("Options", Map.of());
        ipam.put("Config", config.isEmpty() ? List.of() : List.of(config));
        fields.put("IPAM", ipam);
        fields.put("Internal", info.internal());
        fields.put("Attachable", false);
        fields.put("Ingress", false);
        fields.put("ConfigOnly", false);
        Map<String, Object> containers = new TreeMap<>();
        info.containers().forEach((id, address) -> {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("Name", network.nameOf(id));
            container.put("EndpointID", "");
            container.put("MacAddress", "");
            container.put("IPv4Address", address);
            container.put("IPv6Address", "");
            containers.put(id, container);
        });
        fields.put("Containers", containers);
        Map<String, Object> options = new LinkedHashMap<>();
        if (!info.bridge().isEmpty()) {
            options.put("com.docker.network.bridge.name", info.bridge());
        }
        fields.put("Options", options);
        fields.put("Labels", new TreeMap<>(info.labels()));
        fields.put("ConfigFile", info.source()); // isola's: where the conflist lives
        return fields;
    }
}
