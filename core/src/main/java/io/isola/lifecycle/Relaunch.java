package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What it takes to run a stopped container again, as Docker's {@code start} and restart policies
 * do: the arguments of the {@code run} that made it (parsed again, so the container gets every
 * option it had), its restart policy, how often it was restarted, and whether a user stopped it
 * (a stopped container is not restarted by its policy).
 *
 * @param runArgs the arguments after {@code run}
 * @param policy {@code no}, {@code on-failure}, {@code on-failure:N}, {@code always} or {@code unless-stopped}
 * @param count how often the policy restarted it (Docker's RestartCount; a user's {@code start} keeps it)
 * @param stoppedByUser whether {@code stop} or {@code kill} ended its last run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Relaunch(List<String> runArgs, String policy, int count, Boolean stoppedByUser) {

    public static final String NO = "no";

    public Relaunch withCount(int value) {
        return new Relaunch(runArgs, policy, value, stoppedByUser);
    }

    public Relaunch withStoppedByUser(boolean value) {
        return new Relaunch(runArgs, policy, count, value ? Boolean.TRUE : null);
    }

    /** Whether a user's stop or kill ended the container. */
    @JsonIgnore
    public boolean stopped() {
        return Boolean.TRUE.equals(stoppedByUser);
    }
}
