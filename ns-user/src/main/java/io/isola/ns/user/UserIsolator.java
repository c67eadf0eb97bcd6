package io.isola.ns.user;

import io.isola.api.Filesystem;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.spi.ChildSteps;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.support.ChildProcFiles;
import io.isola.spi.support.CredentialSteps;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new user namespace, created first (it owns every namespace created with it). The host writes
 * the uid and gid maps after the clone while the child waits at a checkpoint at the start of the
 * identity phase; then the child becomes root of the namespace ({@code setresgid}, {@code
 * setgroups} unless the kernel denies it, {@code setresuid}), so that the setup steps that follow
 * create files as a mapped id. The command's own user, if the spec sets one, comes later
 * ({@link ProcessUser}, at the end of the lock-down phase).
 *
 * <p>Who may map what: root maps any host range (by default its configured base or the
 * /etc/subuid range of user {@code isola}); any other user maps its own ids, and the ranges
 * /etc/subuid and /etc/subgid give it through newuidmap and newgidmap (see {@link MapPlanner}).
 */
// off unless a run asks for a user namespace (--userns, --uidmap, rootless) or its .cfg says enabled = true
@Component(service = NamespaceIsolator.class, configurationPid = "io.isola.ns.user", property = "enabled=false")
@Designate(ocd = UserIsolator.Config.class)
public final class UserIsolator implements NamespaceIsolator {

    private static final Logger LOG = LoggerFactory.getLogger(UserIsolator.class);

    /** Text attributes: {@link UserSettings} checks them, so that a value that is no number is named, not defaulted. */
    @ObjectClassDefinition(name = "isola user namespace", description = "Default uid and gid maps of root's containers")
    public @interface Config {
        @AttributeDefinition(
                description = "User whose /etc/subuid and /etc/subgid ranges root's containers map to by default")
        String subidUser() default "isola";

        @AttributeDefinition(description = "First host uid of root's default mapping; 0 to take it from /etc/subuid")
        String hostUidBase() default "0";

        @AttributeDefinition(
                description = "First host gid of root's default mapping; 0 for the uid base, else /etc/subgid")
        String hostGidBase() default "0";

        @AttributeDefinition(description = "How many ids the default mapping maps")
        String rangeSize() default "65536";
    }

    private final MapPlanner.Defaults defaults;
    private final Path etc;
    private final Path proc;
    private final IdMapWriter.ProcFiles files;

    /** For use without OSGi (ServiceLoader): the defaults of {@link Config}. */
    public UserIsolator() {
        this(new MapPlanner.Defaults("isola", 0, 0, 65536), Path.of("/etc"), Path.of("/proc"));
    }

    @Activate
    public UserIsolator(Config config) {
        this(
                UserSettings.of(config.subidUser(), config.hostUidBase(), config.hostGidBase(), config.rangeSize()),
                Path.of("/etc"),
                Path.of("/proc"));
    }

    UserIsolator(MapPlanner.Defaults defaults, Path etc, Path proc) {
        this(defaults, etc, proc, ChildProcFiles::write);
    }

    /** {@code proc}: where the kernel's user namespace settings are read; {@code files}: how the maps are written. */
    UserIsolator(MapPlanner.Defaults defaults, Path etc, Path proc, IdMapWriter.ProcFiles files) {
        if (defaults.size() < 1) {
            throw new IllegalArgumentException("rangeSize " + defaults.size() + ": expected at least 1");
        }
        this.defaults = defaults;
        this.etc = etc;
        this.proc = proc;
        this.files = files;
    }

    @Override
    public String name() {
        return "user";
    }

    @Override
    public Namespace namespace() {
        return Namespace.USER;
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        HostIdentity host = HostIdentity.current();
        KernelSupport.check(proc.resolve("sys"), !host.isRoot());
        IdMapWriter.Helpers helpers = IdMapWriter.Helpers.find();
        MapPlanner planner = new MapPlanner(
                defaults,
                SubordinateIds.read(etc.resolve("subuid")),
                SubordinateIds.read(etc.resolve("subgid")),
                helpers.installed());
        MapPlan plan =
                planner.plan(request.spec().extension(UserNamespace.class).orElse(null), host, userName(host.uid()));
        plan.checkCovers(request.spec().extension(ProcessUser.class).orElse(null));
        LOG.debug(
                "container {}: uid maps {}, gid maps {} ({})",
                request.containerId(),
                plan.uids(),
                plan.gids(),
                plan.writer());
        // root on the host: the filesystem isolator idmaps a root directory whose owner is not mapped
        String rootfsWarning = host.isRoot()
                ? null
                : RootfsOwnerCheck.warning(
                        request.spec().extension(Filesystem.class).orElse(null), plan);
        if (rootfsWarning != null) {
            LOG.warn(rootfsWarning);
        }
        IdMapWriter writer = new IdMapWriter(helpers, files);
        return new Isolation() {
            @Override
            public void contribute(ChildSteps steps) {
                steps.checkpoint(Phase.IDENTITY, "wait for the uid and gid maps");
                steps.add(Phase.IDENTITY, CredentialSteps.setresgid(0));
                if (plan.setgroupsAllowed()) {
                    steps.add(Phase.IDENTITY, CredentialSteps.setgroups(List.of()));
                }
                steps.add(Phase.IDENTITY, CredentialSteps.setresuid(0));
            }

            @Override
            public void afterClone(ClonedChild child) throws Exception {
                writer.write(plan, child);
            }
        };
    }

    /** The name /etc/passwd gives {@code uid}, which /etc/subuid may use instead of the number. */
    private String userName(long uid) {
        try {
            for (String line : Files.readAllLines(etc.resolve("passwd"))) {
                String[] fields = line.split(":");
                if (fields.length > 2 && fields[2].equals(Long.toString(uid))) {
                    return fields[0];
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read {}: {}", etc.resolve("passwd"), e.toString());
        }
        return System.getProperty("user.name", Long.toString(uid));
    }
}
