package io.isola.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers' lifecycle events of a state root, for {@code isola events}: one JSON object a
 * line in {@code events.jsonl}, in Docker's shape ({@code status}, {@code id}, {@code from},
 * {@code Type}, {@code Action}, {@code Actor}, {@code time}, {@code timeNano}), appended by
 * whichever process saw the event (the CLI, a monitor, the server). One line is one write with
 * O_APPEND, so writers do not interleave; past {@link #MAX_BYTES} the file is rotated to {@code
 * events.jsonl.1}, under {@code events.lock}, so it never grows without bound. An event that
 * cannot be written is logged and dropped: no container operation fails for its event.
 */
public final class EventLog {

    public static final String CREATE = "create", START = "start", DIE = "die", OOM = "oom", DESTROY = "destroy";
    static final String FILE = "events.jsonl";
    private static final String LOCK = "events.lock";
    private static final long MAX_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventLog() {}

    /** Appends {@code action} of {@code state}'s container, with {@code attributes} beside its name and image. */
    public static void record(StateStore store, String action, ContainerState state, Map<String, String> attributes) {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        SavedRoot root = state.savedRoot();
        String image = root == null || root.image() == null ? "" : root.image();
        Map<String, String> all = new TreeMap<>(attributes);
        all.put("image", image);
        if (state.name() != null) {
            all.put("name", state.name());
        }
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("ID", state.id());
        actor.put("Attributes", all);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("status", action);
        event.put("id", state.id());
        event.put("from", image);
        event.put("Type", "container");
        event.put("Action", action);
        event.put("Actor", actor);
        event.put("scope", "local");
        event.put("time", now.getEpochSecond());
        event.put("timeNano", nanos);
        Path file = store.root().resolve(FILE);
        // Checking the size and rotating must be one step for all writers: two that both found the
        // log full would move the second's fresh file over the rotated one, or lose an event to a
        // file moved away between the check and the append.
        try (LockFile lock = LockFile.ownerOnly(store.root().resolve(LOCK))) {
            byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) > MAX_BYTES) {
                Files.move(file, store.root().resolve(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.write(
                    file,
                    line,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            LOG.debug("event {} of container {} not recorded: {}", action, state.id(), e.toString());
        }
    }

    /** Every event kept, oldest first (the rotated file's, then the current one's); a line that cannot be read is skipped. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> read(StateStore store) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String name : List.of(FILE + ".1", FILE)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(store.root().resolve(name), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", name, e.toString());
                continue;
            }
            for (String line : lines) {
                try {
                    events.add(JSON.readValue(line, Map.class));
                } catch (IOException e) {
                    LOG.debug("skipping an event line that is not JSON: {}", e.toString());
                }
            }
        }
        return events;
    }
}
