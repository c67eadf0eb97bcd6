package io.isola.api;

/**
 * One line of a user namespace's uid or gid map: {@code length} consecutive ids starting at
 * {@code containerId} inside the container are the ids starting at {@code hostId} on the host, as
 * {@code --uidmap CTR:HOST:LEN} writes it. Checked as part of a {@link UserNamespace}, which knows
 * whether it is a uid or a gid map and can name it in errors.
 */
public record IdMapping(long containerId, long hostId, long length) {

    /** The kernel's ids are 32 bits wide and (uid_t) -1 means "no id", so the last usable id is 2^32 - 2. */
    public static final long ID_LIMIT = 0xffffffffL;

    /** Parses {@code CTR:HOST:LEN}; {@code kind} ("uid map") names the value in the error. */
    public static IdMapping parse(String kind, String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException(kind + " \"" + text + "\": expected CTR:HOST:LEN, three numbers");
        }
        long[] values = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                values[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                values[i] = -1;
            }
            if (values[i] < 0 || values[i] > ID_LIMIT || !parts[i].chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(
                        kind + " \"" + text + "\": expected CTR:HOST:LEN, three numbers from 0 to " + (ID_LIMIT - 1));
            }
        }
        return new IdMapping(values[0], values[1], values[2]);
    }

    /** Whether container id {@code id} lies in this range. */
    public boolean containsContainerId(long id) {
        return id >= containerId && id - containerId < length;
    }

    /** The host id of container id {@code id}, which must lie in this range. */
    public long toHost(long id) {
        return hostId + (id - containerId);
    }

    /** As the user writes it, {@code CTR:HOST:LEN}. */
    @Override
    public String toString() {
        return containerId + ":" + hostId + ":" + length;
    }
}
