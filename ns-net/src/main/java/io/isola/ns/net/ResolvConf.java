package io.isola.ns.net;

import io.isola.api.NameResolution;
import java.util.ArrayList;
import java.util.List;

/**
 * A resolv.conf with the container's {@code --dns}, {@code --dns-search} and {@code --dns-option}
 * in place of the network's or the host's lines of the same kind, as Docker does; every other
 * line of the base is kept.
 */
final class ResolvConf {

    static final NameResolution NOTHING_ASKED =
            new NameResolution(List.of(), List.of(), List.of(), List.of(), List.of());

    private ResolvConf() {}

    static String merge(String base, NameResolution asked) {
        if (!asked.changesResolvConf()) {
            return base;
        }
        List<String> kept = new ArrayList<>();
        List<String> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String line : base.lines().toList()) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "nameserver" -> servers.add(words.length > 1 ? words[1] : "");
                case "search", "domain" -> search.addAll(List.of(words).subList(1, words.length));
                case "options" -> options.addAll(List.of(words).subList(1, words.length));
                default -> kept.add(line);
            }
        }
        StringBuilder out = new StringBuilder();
        kept.stream()
                .filter(line -> !line.isBlank())
                .forEach(line -> out.append(line).append('\n'));
        (asked.dnsServers().isEmpty() ? servers : asked.dnsServers())
                .stream()
                        .filter(s -> !s.isEmpty())
                        .forEach(server ->
                                out.append("nameserver ").append(server).append('\n'));
        List<String> domains = asked.dnsSearch().isEmpty() ? search : asked.dnsSearch();
        if (!domains.isEmpty()) {
            out.append("search ").append(String.join(" ", domains)).append('\n');
        }
        List<String> chosen = asked.dnsOptions().isEmpty() ? options : asked.dnsOptions();
        if (!chosen.isEmpty()) {
            out.append("options ").append(String.join(" ", chosen)).append('\n');
        }
        return out.toString();
    }
}
