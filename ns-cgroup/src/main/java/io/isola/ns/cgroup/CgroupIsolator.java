package io.isola.ns.cgroup;

import io.isola.api.CgroupLocation;
import io.isola.api.CgroupPath;
import io.isola.api.CgroupTuning;
import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.api.Resources;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Step;
import io.isola.spi.support.ResourceControls;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cgroup namespace, and a cgroup of the container's own ({@code <parent>/<id>}) that carries its
 * {@link Resources} limits. The cgroup is created with its limits before the clone and joined by
 * the host before the gate, so the command starts already limited; with a mount namespace the
 * container also gets a read-only {@code /sys/fs/cgroup} that shows only its own subtree.
 *
 * <p>Which cgroup layout the host has (v1, v2, hybrid) is detected from what is mounted, once.
 */
@Component(
        service = {NamespaceIsolator.class, ResourceControls.class},
        configurationPid = "io.isola.ns.cgroup")
@Designate(ocd = CgroupIsolator.Config.class)
public final class CgroupIsolator implements NamespaceIsolator, ResourceControls {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupIsolator.class);
    private static final Pattern PARENT = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    private static final AtomicBoolean WARNED_NO_MOUNT_NS = new AtomicBoolean();
    private static final Resources NO_LIMITS = Resources.builder().build();

    @ObjectClassDefinition(name = "isola cgroups", description = "Resource limits of containers")
    public @interface Config {
        @AttributeDefinition(
                description = "The cgroup, relative to each hierarchy's root, under which every container gets its own")
        String parent() default "isola";
    }

    private final String parent;
    private volatile CgroupDriver driver;
    /** Found on first use; empty where no hierarchy is mounted. */
    private volatile Optional<MigrationLockWarmup> warmup;

    /** For use without OSGi (ServiceLoader): the defaults of {@link Config}. */
    public CgroupIsolator() {
        this("isola", null);
    }

    @Activate
    public CgroupIsolator(Config config) {
        this(config.parent(), null);
    }

    /** With a given driver instead of the detected one (tests). */
    CgroupIsolator(String parent, CgroupDriver driver) {
        String trimmed = parent.replaceAll("^/+|/+$", "");
        if (!PARENT.matcher(trimmed).matches()
                || List.of(trimmed.split("/")).stream().anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw new IllegalArgumentException("parent \"" + parent
                    + "\": expected a relative path of names made of letters, digits, '_', '.' or '-' (such as isola)");
        }
        this.parent = trimmed;
        this.driver = driver;
    }

    @Override
    public String name() {
        return "cgroup";
    }

    @Override
    public Namespace namespace() {
        return Namespace.CGROUP;
    }

    /**
     * The container's /sys/fs/cgroup is this isolator's: it mounts the container's own cgroup file
     * systems there (whenever a mount isolator builds the container's files), so the mount
     * isolator must leave that mount point to it rather than bring the host's there.
     */
    @Override
    public Set<Duty> duties() {
        return Set.of(Duty.MOUNT_CGROUPFS);
    }

    /** The container's cgroup and limits are wanted also with the runtime's cgroup namespace, or one joined by path. */
    @Override
    public boolean servesWithoutNamespace() {
        return true;
    }

    /** The driver for this host, detected on first use. */
    CgroupDriver driver() {
        CgroupDriver d = driver;
        if (d == null) {
            synchronized (this) {
                if (driver == null) {
                    CgroupDriver detected = CgroupDrivers.detect(CgroupMounts.ofThisProcess(), HostCpus.ofThisHost());
                    LOG.info("cgroups: using the {} driver", detected.name());
                    // once per runtime, so each CLI command cleans up after a host that died before it
                    StaleCgroups.sweep(detected, parent, Instant.now());
                    driver = detected;
                }
                d = driver;
            }
        }
        return d;
    }

    String parent() {
        return parent;
    }

    private Optional<MigrationLockWarmup> warmup() {
        Optional<MigrationLockWarmup> w = warmup;
        if (w == null) {
            w = MigrationLockWarmup.of(CgroupMounts.ofThisProcess().hierarchies());
            warmup = w;
        }
        return w;
    }

    @Override
    public Isolation prepare(IsolationRequest request) throws Exception {
        Resources resources = request.spec().extension(Resources.class).orElse(NO_LIMITS);
        Optional<CgroupTuning> tuning = request.spec().extension(CgroupTuning.class);
        CgroupDriver cgroups = driver();
        cgroups.check(resources);
        tuning.ifPresent(cgroups::check);
        DeviceAccess devices = DeviceAccess.of(request.spec());
        cgroups.checkDevices(devices.rules(), devices.hasOwnRules());
        List<Step> lockdown = MknodFallback.steps(request.spec(), cgroups);
        // without a namespace of its own (an OCI config that does not list one) the container is in
        // its cgroup with the runtime's cgroup namespace, and the mount isolator brings the host's
        // /sys/fs/cgroup read-only, as runc gives it to such a container
        boolean ownNamespace = request.creates(Namespace.CGROUP);
        boolean ownCgroupfs = ownNamespace && request.selected(Namespace.MOUNT);
        if (ownNamespace && !ownCgroupfs && WARNED_NO_MOUNT_NS.compareAndSet(false, true)) {
            LOG.warn("containers with a cgroup namespace but no mount namespace see the host's /sys/fs/cgroup");
        }
        if (!devices.nodes().isEmpty() && !request.selected(Namespace.MOUNT)) {
            throw new IllegalArgumentException("devices "
                    + devices.nodes().stream().map(n -> n.mapping().hostPath()).toList()
                    + ": need a mount namespace, whose /dev they are made in; drop --no-mount");
        }
        List<Step> nodes = devices.steps();
        if (!devices.nodes().isEmpty() && request.selected(Namespace.USER)) {
            // mknod of a device takes CAP_MKNOD in the host's user namespace: the host's node is bound instead
            devices.binds().forEach(request::requestBind);
            nodes = List.of();
        }
        // an engine (an OCI config.json's cgroupsPath) may name the cgroup; else it is the container's own under parent
        String path = request.spec()
                .extension(CgroupPath.class)
                .map(CgroupPath::path)
                .orElse(parent + "/" + request.containerId());
        Cgroup cgroup = cgroups.create(path, resources, devices.rules());
        if (tuning.isPresent()) {
            try {
                cgroups.tune(path, tuning.get());
            } catch (IOException | RuntimeException e) {
                cgroup.destroy();
                throw e;
            }
        }
        // now, not before: the warm-up holds cgroup_mutex while it waits, which the create's mkdirs
        // (and BPF attach) need; the clone and the other isolators' preparation need none of it
        warmup().ifPresent(MigrationLockWarmup::start);
        return new CgroupIsolation(
                request.containerId(),
                cgroups.name(),
                cgroup,
                ownNamespace,
                ownCgroupfs ? cgroups.mounts() : List.of(),
                nodes,
                lockdown);
    }

    /**
     * The cgroup of a container another process started, from the location it recorded. Only the
     * path is taken from the record, and only one named after the container: plain names, the
     * last being its id, as this isolator makes them ({@code <parent>/<id>}), or an engine's
     * {@code <prefix>-<id>} or systemd unit {@code <prefix>-<id>.scope} (podman's {@code
     * libpod-<id>}, in an OCI config's cgroupsPath); the driver derives the directories itself.
     */
    @Override
    public ResourceControl attach(String containerId, CgroupLocation location) {
        String path = location.path() == null ? "" : location.path();
        List<String> names = List.of(path.split("/"));
        if (!PARENT.matcher(path).matches()
                || names.size() < 2
                || !namedAfter(names.get(names.size() - 1), containerId)
                || names.stream().anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw new IsolaException("container " + containerId + ": its recorded cgroup \"" + path
                    + "\" is not one named after it (<parent>/<id> as isola makes them, or an engine's"
                    + " <parent>/<prefix>-<id>[.scope])");
        }
        CgroupDriver cgroups = driver();
        Cgroup cgroup = cgroups.open(path)
                .orElseThrow(() -> new IsolaException(
                        "container " + containerId + ": its cgroup " + path + " is gone (the container has ended)"));
        return new CgroupControl(containerId, cgroups.name(), cgroup);
    }

    private static boolean namedAfter(String name, String containerId) {
        String unit = name.endsWith(".scope") ? name.substring(0, name.length() - ".scope".length()) : name;
        return name.equals(containerId) || unit.endsWith("-" + containerId);
    }
}
