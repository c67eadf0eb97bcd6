package io.isola.ns.net;

import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import java.util.Optional;

/**
 * The bridge plugin's refusal of a bridge that holds an address other than its network's gateway
 * ({@code failed to set bridge addr: "isola0" already has an IP address different from ...}): the
 * bridge outlived a configuration that was written again with another subnet. The plugin says so
 * only in text (its generic error code 999), so that text is what is recognised; the message then
 * says both ways out.
 */
final class BridgeAddressClash {

    private static final String PLUGIN_TEXT = "already has an IP address different from";

    private BridgeAddressClash() {}

    static CniException explain(CniException e, NetworkConfigList network) {
        String bridge = NetworkConfigs.bridgeOf(network).orElse(null);
        if (bridge == null || e.getMessage() == null || !e.getMessage().contains(PLUGIN_TEXT)) {
            return e;
        }
        Optional<Ipv4Net> held = Ipv4Net.ofInterface(bridge);
        return new CniException(
                e.getMessage() + "; the bridge " + bridge + " is on "
                        + held.map(Ipv4Net::toString).orElse("another subnet") + " from before: set that subnet in "
                        + network.source() + ", or remove the bridge"
                        + " (ip link delete " + bridge + ") once no container uses it",
                e.code(),
                e);
    }
}
