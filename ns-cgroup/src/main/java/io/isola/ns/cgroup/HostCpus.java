package io.isola.ns.cgroup;

import io.isola.api.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/** The CPUs of this host, to refuse CPU limits it cannot honour before anything is created. */
final class HostCpus {

    private final BitSet online;

    HostCpus(BitSet online) {
        this.online = (BitSet) online.clone();
    }

    static HostCpus ofThisHost() {
        try {
            return new HostCpus(parseList(
                    Files.readString(Path.of("/sys/devices/system/cpu/online")).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the online CPUs", e);
        }
    }

    /** A kernel CPU list ({@code 0-3,5}). */
    static BitSet parseList(String list) {
        BitSet cpus = new BitSet();
        if (list.isBlank()) {
            return cpus;
        }
        for (String range : list.split(",")) {
            String[] ends = range.split("-");
            int first = Integer.parseInt(ends[0].trim());
            int last = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : first;
            cpus.set(first, last + 1);
        }
        return cpus;
    }

    int count() {
        return online.cardinality();
    }

    void check(Resources resources) {
        resources.cpus().ifPresent(cpus -> {
            if (cpus.compareTo(BigDecimal.valueOf(count())) > 0) {
                throw new IllegalArgumentException("cpus " + cpus.toPlainString() + ": expected a number from 0.01 to "
                        + count() + ", as this host has " + count() + " CPUs");
            }
        });
        resources.cpusetCpus().ifPresent(list -> {
            BitSet wanted = parseList(list);
            BitSet missing = (BitSet) wanted.clone();
            missing.andNot(online);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("cpuset cpus \"" + list + "\": CPU " + missing.nextSetBit(0)
                        + " does not exist; this host's online CPUs are " + format(online));
            }
        });
    }

    static String format(BitSet cpus) {
        StringBuilder s = new StringBuilder();
        for (int first = cpus.nextSetBit(0); first >= 0; ) {
            int end = cpus.nextClearBit(first);
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(first);
            if (end - 1 > first) {
                s.append('-').append(end - 1);
            }
            first = cpus.nextSetBit(end);
        }
        return s.toString();
    }
}
