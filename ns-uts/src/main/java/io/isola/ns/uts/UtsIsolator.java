package io.isola.ns.uts;

import io.isola.api.RuntimeHostname;
import io.isola.spi.ChildSteps;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A new UTS namespace with the container's host name and, if any, domain name. Like Docker, a
 * container without a host name gets its id's first twelve characters; with {@link
 * RuntimeHostname} (an OCI config's), the runtime's, as runc leaves it.
 */
@Component(service = NamespaceIsolator.class, configurationPid = "io.isola.ns.uts", property = "isola.phases=NAMES")
@Designate(ocd = UtsIsolator.Config.class)
public final class UtsIsolator implements NamespaceIsolator {

    @ObjectClassDefinition(name = "isola UTS namespace", description = "Host and domain names of containers")
    public @interface Config {
        @AttributeDefinition(description = "Domain name of containers whose spec sets none; empty for none")
        String domainname() default "";
    }

    private static final Pattern DOMAINNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,63}");

    private final String defaultDomainname;

    /** For use without OSGi (ServiceLoader): the defaults of {@link Config}. */
    public UtsIsolator() {
        this.defaultDomainname = "";
    }

    /** Rejects a bad configured value: the component then fails to activate, and the launcher reports why. */
    @Activate
    public UtsIsolator(Config config) {
        String domainname = config.domainname().strip();
        if (!domainname.isEmpty() && !DOMAINNAME.matcher(domainname).matches()) {
            throw new IllegalArgumentException(
                    "domainname \"" + config.domainname()
                            + "\": expected 1 to 64 letters, digits, '-' or '.', starting with a letter or digit, or empty for none");
        }
        this.defaultDomainname = domainname;
    }

    @Override
    public String name() {
        return "uts";
    }

    @Override
    public Namespace namespace() {
        return Namespace.UTS;
    }

    @Override
    public Isolation prepare(IsolationRequest request) {
        String id = request.containerId();
        // the runtime's, which the new namespace starts with, when the spec asks to keep it (OCI's)
        boolean kept = request.spec().hostname().isEmpty()
                && request.spec().extension(RuntimeHostname.class).isPresent();
        String hostname = request.spec().hostname().orElse(id.substring(0, Math.min(12, id.length())));
        String domainname = request.spec().domainname().orElse(defaultDomainname);
        return new Isolation() {
            @Override
            public void contribute(ChildSteps steps) {
                if (!kept) {
                    steps.add(Phase.NAMES, Steps.sethostname(hostname));
                }
                if (!domainname.isEmpty()) {
                    steps.add(Phase.NAMES, Steps.setdomainname(domainname));
                }
            }
        };
    }
}
