package io.isola.launcher.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code WWW-Authenticate} header of a registry's 401 (RFC 7235): {@code Bearer
 * realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"} (the token
 * flow of the distribution spec) or {@code Basic realm="..."}.
 */
record AuthChallenge(String scheme, Map<String, String> parameters) {

    private static final Pattern PARAMETER =
            Pattern.compile("\\s*([A-Za-z0-9_-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))\\s*,?");

    static AuthChallenge parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        String scheme = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (space > 0) {
            Matcher m = PARAMETER.matcher(trimmed.substring(space + 1));
            while (m.lookingAt()) {
                String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
                parameters.put(m.group(1).toLowerCase(Locale.ROOT), value);
                m.region(m.end(), m.regionEnd());
            }
        }
        return new AuthChallenge(scheme, parameters);
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    String realm() {
        return parameters.get("realm");
    }
}
