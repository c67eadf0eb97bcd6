/**
 * eBPF built in Java for the one program isola loads: the cgroup v2 device filter
 * ({@link io.isola.internal.ebpf.DeviceFilterProgram}, after runc's devicefilter), and the two
 * {@code bpf(2)} commands that load and attach it. The ns-cgroup bundle reaches it through the
 * SPI's {@link io.isola.spi.support.CgroupDeviceFilter}.
 */
package io.isola.internal.ebpf;
