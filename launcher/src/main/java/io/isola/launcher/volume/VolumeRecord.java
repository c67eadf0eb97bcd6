package io.isola.launcher.volume;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A volume's {@code volume.json}: what Docker keeps of a local volume beside its data.
 *
 * @param labels Docker's labels; an anonymous volume carries {@link #ANONYMOUS} (as Docker 23 marks one)
 * @param createdFor the container whose run made it (isola's own, not shown): a run that fails to
 *     start removes the volumes it made, so that it leaves nothing behind; null for {@code volume create}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VolumeRecord(
        @JsonProperty("Name") String name,
        @JsonProperty("CreatedAt") String createdAt,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("CreatedFor") String createdFor) {

    /** The label of a volume made for one container ({@code -v /path}, an image's VOLUME), Docker's own. */
    public static final String ANONYMOUS = "com.docker.volume.anonymous";

    @JsonIgnore
    public boolean anonymous() {
        return labels != null && labels.containsKey(ANONYMOUS);
    }
}
