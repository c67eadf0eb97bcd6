package io.isola.lifecycle;

import io.isola.api.PortMapping;
import io.isola.api.Volume;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code inspect}'s {@code HostConfig} from a saved spec, with Docker's names
 * and units: {@code Memory} and {@code MemorySwap} in bytes (0 for none), {@code NanoCpus},
 * {@code PidsLimit} (null for none), {@code Binds} as {@code -v} spells them, {@code PortBindings}
 * keyed by {@code PORT/PROTO}, {@code HostIp} "" for every host address as Docker's.
 */
final class HostConfigView {

    private HostConfigView() {}

    static Map<String, Object> of(SavedSpec spec) {
        SavedHostConfig host = spec.host() == null ? new SavedHostConfig(null, null, null, null) : spec.host();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(
                "Binds",
                spec.volumes() == null
                        ? null
                        : spec.volumes().stream()
                                .map(v -> bind(v, spec.propagation()))
                                .toList());
        config.put("PortBindings", portBindings(spec.ports()));
        config.put("Memory", host.memory() == null ? 0 : host.memory());
        config.put("MemorySwap", host.memorySwap() == null ? 0 : host.memorySwap());
        config.put(
                "NanoCpus",
                host.cpus() == null
                        ? 0
                        : new BigDecimal(host.cpus()).movePointRight(9).longValue());
        config.put("PidsLimit", host.pidsLimit());
        config.put("MemoryReservation", host.memoryReservation() == null ? 0 : host.memoryReservation());
        config.put("CpuShares", host.cpuShares() == null ? 0 : host.cpuShares());
        config.put("CpusetCpus", host.cpusetCpus() == null ? "" : host.cpusetCpus());
        return config;
    }

    /** {@code -v}'s spelling: {@code SOURCE:TARGET}, then {@code :ro}, a propagation or both ({@code :ro,rshared}). */
    private static String bind(Volume volume, Map<String, String> propagation) {
        List<String> options = new ArrayList<>();
        if (volume.readOnly()) {
            options.add("ro");
        }
        if (propagation != null && propagation.containsKey(volume.target())) {
            options.add(propagation.get(volume.target()));
        }
        return volume.source() + ":" + volume.target() + (options.isEmpty() ? "" : ":" + String.join(",", options));
    }

    /** {@code [HOSTIP:]HOSTPORT:CONTAINERPORT/PROTO} each, as the saved spec holds them. */
    private static Map<String, Object> portBindings(List<String> ports) {
        Map<String, Object> bindings = new LinkedHashMap<>();
        if (ports == null) {
            return bindings;
        }
        for (String saved : ports) {
            PortMapping port = PortMapping.parse(saved);
            @SuppressWarnings("unchecked")
            List<Map<String, String>> list = (List<Map<String, String>>) bindings.computeIfAbsent(
                    port.containerPort() + "/" + port.protocol(), k -> new ArrayList<Map<String, String>>());
            Map<String, String> binding = new LinkedHashMap<>();
            binding.put("HostIp", port.hostIp() == null ? "" : port.hostIp());
            binding.put("HostPort", Integer.toString(port.hostPort()));
            list.add(binding);
        }
        return bindings;
    }
}
