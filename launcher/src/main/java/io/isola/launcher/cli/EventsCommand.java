package io.isola.launcher.cli;

import io.isola.launcher.cli.format.GoTemplate;
import io.isola.launcher.cli.format.OutputFormat;
import io.isola.launcher.cli.format.Struct;
import io.isola.lifecycle.EventLog;
import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.StateStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola events}, as docker events: the containers' create, start, oom, die and destroy
 * events of this state root ({@link EventLog}), from {@code --since} (default: now) and, without
 * {@code --until}, followed until interrupted.
 */
@Command(
        name = "events",
        description = {
            "Show containers' events (create, start, oom, die, destroy), as docker events.",
            "Without --until it follows new events until interrupted. --filter takes container=,",
            "event=, image= and type=container (one key repeated: any; different keys: all).",
            "Differs from Docker: container events only, kept in the state root (the last ~1 MiB)."
        })
final class EventsCommand implements Callable<Integer> {

    private static final DateTimeFormatter DOCKER_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnnXXX").withZone(ZoneOffset.UTC);
    private static final long POLL_MILLIS = 200;

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = "--since",
            paramLabel = "TIME",
            description = "Show events from TIME (RFC 3339, Unix seconds or a duration ago).")
    private String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Show events up to TIME, then exit.")
    private String until;

    @Option(
            names = {"-f", "--filter"},
            paramLabel = "KEY=VALUE",
            description = "container=, event=, image=, type=.")
    private List<String> filters = new ArrayList<>();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "json (one object a line), or a Go template ({{.Action}} {{.Actor.Attributes.name}}).")
    private String format;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Instant now = Instant.now();
        Instant from = since == null ? now : EventTime.parse("--since", since, now);
        Instant to = until == null ? null : EventTime.parse("--until", until, now);
        Map<String, Set<String>> wanted = filters();
        GoTemplate template = format == null || OutputFormat.named(format).orElse(null) == OutputFormat.JSON
                ? null
                : GoTemplate.ofFormat(format);
        StateStore store = parent.global().store();
        PrintWriter out = spec.commandLine().getOut();
        int seen = 0;
        while (true) {
            List<Map<String, Object>> events = EventLog.read(store);
            if (events.size() < seen) {
                seen = 0; // rotated meanwhile: the kept ones are read again, filtered by time as before
            }
            for (Map<String, Object> event : events.subList(seen, events.size())) {
                Instant at = time(event);
                if (!at.isBefore(from) && (to == null || !at.isAfter(to)) && matches(event, wanted)) {
                    out.println(
                            format == null
                                    ? line(event, at)
                                    : template == null
                                            ? Inspection.compactJson(event)
                                            : template.execute(goFields(event)));
                }
            }
            out.flush();
            seen = events.size();
            if (to != null && !Instant.now().isBefore(to)) {
                return 0;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private Map<String, Set<String>> filters() {
        Set<String> keys = Set.of("container", "event", "image", "type");
        Map<String, Set<String>> wanted = new HashMap<>();
        for (String filter : filters) {
            int equals = filter.indexOf('=');
            String key = equals < 0 ? filter : filter.substring(0, equals);
            if (equals < 0 || !keys.contains(key)) {
                throw new IllegalArgumentException(
                        "filter \"" + filter + "\": expected container=, event=, image= or type=");
            }
            wanted.computeIfAbsent(key, k -> new HashSet<>()).add(filter.substring(equals + 1));
        }
        return wanted;
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, Object> event, Map<String, Set<String>> wanted) {
        Map<String, Object> attributes =
                (Map<String, Object>) ((Map<String, Object>) event.get("Actor")).get("Attributes");
        for (Map.Entry<String, Set<String>> filter : wanted.entrySet()) {
            boolean any = switch (filter.getKey()) {
                case "container" ->
                    filter.getValue().stream()
                            .anyMatch(v ->
                                    String.valueOf(event.get("id")).startsWith(v) || v.equals(attributes.get("name")));
                case "event" -> filter.getValue().contains(String.valueOf(event.get("Action")));
                case "image" -> filter.getValue().contains(String.valueOf(attributes.get("image")));
                default -> filter.getValue().contains(String.valueOf(event.get("Type")));
            };
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static Instant time(Map<String, Object> event) {
        long nanos = ((Number) event.get("timeNano")).longValue();
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** Docker's line: {@code TIME container ACTION ID (key=value, ...)}, the attributes sorted. */
    @SuppressWarnings("unchecked")
    private static String line(Map<String, Object> event, Instant at) {
        Map<String, Object> attributes =
                (Map<String, Object>) ((Map<String, Object>) event.get("Actor")).get("Attributes");
        List<String> pairs = new ArrayList<>();
        new TreeMap<>(attributes).forEach((k, v) -> pairs.add(k + "=" + v));
        return DOCKER_TIME.format(at) + " " + event.get("Type") + " " + event.get("Action") + " " + event.get("id")
                + " (" + String.join(", ", pairs) + ")";
    }

    /** The Go field names a template sees ({@code .Status}, {@code .ID}, {@code .From}, {@code .Time}, ...). */
    @SuppressWarnings("unchecked")
    private static Struct goFields(Map<String, Object> event) {
        Map<String, Object> actor = (Map<String, Object>) event.get("Actor");
        return new Struct("event")
                .with("Status", event.get("status"))
                .with("ID", event.get("id"))
                .with("From", event.get("from"))
                .with("Type", event.get("Type"))
                .with("Action", event.get("Action"))
                .with(
                        "Actor",
                        new Struct("actor").with("ID", actor.get("ID")).with("Attributes", actor.get("Attributes")))
                .with("Scope", event.get("scope"))
                .with("Time", event.get("time"))
                .with("TimeNano", event.get("timeNano"));
    }
}
