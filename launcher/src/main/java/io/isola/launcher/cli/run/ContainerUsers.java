package io.isola.launcher.cli.run;

import io.isola.api.IdMapping;
import io.isola.api.ProcessUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code --user NAME[:GROUP]}, {@code UID:GROUPNAME} and {@code NAME:GID}, resolved as Docker
 * resolves them: from the container's own {@code /etc/passwd} and {@code /etc/group} (read from
 * the host through {@link RootFiles}: an image's layers before the container exists, or its root
 * as it is, inside it). A user name gives the uid
 * and, without a group, its primary gid from /etc/passwd; its supplementary groups are its group
 * and the groups /etc/group lists it in (as initgroups(3) makes them), then {@code --group-add}; a
 * numeric uid that /etc/passwd names is that user. A purely numeric {@code UID[:GID]} is taken as
 * it is, as before (group 0 without a GID). Malformed lines are skipped, as libc skips them.
 */
final class ContainerUsers {

    private final RootFiles files;

    ContainerUsers(RootFiles files) {
        this.files = files;
    }

    /** Whether {@code user} (the --user value) names a user or group rather than only numbers. */
    static boolean hasNames(String user) {
        for (String part : user.split(":", -1)) {
            if (!part.isEmpty() && !part.chars().allMatch(Character::isDigit)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The home directory of {@code uid} in the container's /etc/passwd; "/" when it has none, or
     * no readable passwd (Docker's rule for HOME).
     */
    String home(long uid) {
        try {
            return passwd(Long.toString(uid)).stream()
                    .filter(p -> p.uid() == uid && p.home().startsWith("/"))
                    .map(Passwd::home)
                    .findFirst()
                    .orElse("/");
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }

    /** {@code user} resolved; {@code extraGroups} come after the groups /etc/group gives. */
    ProcessUser resolve(String user, List<Long> extraGroups) {
        String[] parts = user.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new IllegalArgumentException(
                    "--user \"" + user + "\": expected USER or USER:GROUP, names or numbers");
        }
        List<Passwd> passwd = passwd(user);
        String userPart = parts[0];
        Passwd entry;
        if (isNumber(userPart)) {
            long uid = number(user, userPart);
            entry = passwd.stream().filter(p -> p.uid() == uid).findFirst().orElse(new Passwd(null, uid, 0, ""));
        } else {
            entry = passwd.stream()
                    .filter(p -> p.name().equals(userPart))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "--user \"" + user + "\": no user \"" + userPart + "\" in the container's /etc/passwd"));
        }
        List<Group> groups = parts.length == 2 && isNumber(parts[1]) && entry.name() == null ? List.of() : groups(user);
        long gid = entry.gid();
        if (parts.length == 2) {
            String groupPart = parts[1];
            if (isNumber(groupPart)) {
                gid = number(user, groupPart);
            } else {
                gid = groups.stream()
                        .filter(g -> g.name().equals(groupPart))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--user \"" + user + "\": no group \""
                                + groupPart + "\" in the container's /etc/group"))
                        .gid();
            }
        }
        Set<Long> supplementary = new LinkedHashSet<>();
        if (entry.name() != null) {
            supplementary.add(gid); // as initgroups(3) gives a user its group, and Docker does
            groups.stream().filter(g -> g.members().contains(entry.name())).forEach(g -> supplementary.add(g.gid()));
        }
        supplementary.addAll(extraGroups);
        return new ProcessUser(entry.uid(), gid, new ArrayList<>(supplementary));
    }

    private record Passwd(String name, long uid, long gid, String home) {}

    private record Group(String name, long gid, List<String> members) {}

    private List<Passwd> passwd(String user) {
        List<Passwd> entries = new ArrayList<>();
        for (String[] fields : lines(user, "/etc/passwd")) {
            // name:password:uid:gid:gecos:home:shell
            if (fields.length >= 4 && !fields[0].isEmpty() && isId(fields[2]) && isId(fields[3])) {
                entries.add(new Passwd(
                        fields[0],
                        Long.parseLong(fields[2]),
                        Long.parseLong(fields[3]),
                        fields.length >= 6 ? fields[5] : ""));
            }
        }
        return entries;
    }

    private List<Group> groups(String user) {
        List<Group> entries = new ArrayList<>();
        for (String[] fields : lines(user, "/etc/group")) {
            // name:password:gid:member,member
            if (fields.length >= 3 && !fields[0].isEmpty() && isId(fields[2])) {
                List<String> members = new ArrayList<>();
                if (fields.length >= 4) {
                    for (String member : fields[3].split(",")) {
                        if (!member.isBlank()) {
                            members.add(member.strip());
                        }
                    }
                }
                entries.add(new Group(fields[0], Long.parseLong(fields[2]), members));
            }
        }
        return entries;
    }

    private List<String[]> lines(String user, String file) {
        Optional<String> text;
        try {
            text = files.read(file);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(
                    "--user \"" + user + "\": cannot read the container's " + file + ": " + e.getMessage());
        }
        List<String[]> lines = new ArrayList<>();
        text.ifPresent(t ->
                t.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> lines.add(l.split(":", -1))));
        return lines;
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.chars().allMatch(Character::isDigit);
    }

    /** A field that is an id the kernel can take; anything else makes its line malformed. */
    private static boolean isId(String text) {
        return isNumber(text) && text.length() <= 10 && Long.parseLong(text) < IdMapping.ID_LIMIT;
    }

    private static long number(String user, String part) {
        if (!isId(part)) {
            throw new IllegalArgumentException(
                    "--user \"" + user + "\": " + part + " is past the last id, " + (IdMapping.ID_LIMIT - 1));
        }
        return Long.parseLong(part);
    }
}
