package io.isola.ns.cgroup;

import io.isola.api.Devices.Rule;
import io.isola.spi.support.CgroupDeviceFilter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How a cgroup2 directory gets its device rules: the kernel's BPF device filter, or none where
 * the kernel will not load one for us (then {@link MknodFallback} takes over). A seam, so the
 * drivers' tests can choose.
 */
interface DeviceFilter {

    /** The BPF filter of {@link CgroupDeviceFilter}, where the kernel loads it. */
    DeviceFilter KERNEL = new DeviceFilter() {
        @Override
        public boolean supported() {
            return CgroupDeviceFilter.supported();
        }

        @Override
        public void check(List<Rule> rules) {
            CgroupDeviceFilter.listing(rules); // builds the program, which refuses what it cannot express
        }

        @Override
        public void attach(Path cgroup, List<Rule> rules) throws IOException {
            CgroupDeviceFilter.attach(cgroup, rules);
        }
    };

    /** No filter: device rules cannot be enforced on cgroup v2. */
    DeviceFilter NONE = new DeviceFilter() {
        @Override
        public boolean supported() {
            return false;
        }

        @Override
        public void attach(Path cgroup, List<Rule> rules) {
            throw new IllegalStateException("no device filter to attach to " + cgroup);
        }
    };

    boolean supported();

    /** Refuses rules the filter cannot express (a device number over 32 bits), naming the rule; creates nothing. */
    default void check(List<Rule> rules) {}

    /** Denies every device in {@code cgroup}, then allows or denies by {@code rules} in order (the last match wins). */
    void attach(Path cgroup, List<Rule> rules) throws IOException;
}
