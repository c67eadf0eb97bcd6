package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.internal.osgi.CoreExports;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.slf4j.LoggerFactory;

/**
 * The ns-net bundle as bnd made it, inside Felix with SCR and ConfigAdmin, the way the launcher
 * runs bundles: the core on the class path, exported by the system bundle. Proves that the
 * embedded Jackson works in the bundle's class space and that the component takes its
 * configuration from ConfigAdmin.
 */
class NetBundleFelixTest {

    private Felix felix;
    private TestNetworks nets;
    private Path storage;

    @AfterEach
    void tearDown() throws Exception {
        if (felix != null) {
            felix.stop();
            felix.waitForStop(10_000);
        }
        if (nets != null) {
            nets.destroy();
        }
        if (storage != null) {
            AttachmentStore.delete(storage);
        }
    }

    @Test
    void theBundleRunsContainersInsideFelixWithItsConfigurationFromConfigAdmin() throws Exception {
        nets = new TestNetworks("felix");
        storage = Files.createTempDirectory("isola-net-felix");
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.resolve("cache").toString());
        config.put(
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                CoreExports.systemPackages() + "," + "org.slf4j;version="
                        + LoggerFactory.class.getPackage().getImplementationVersion());
        config.put("felix.resolver.parallelism", "1");
        felix = new Felix(config);
        felix.init();
        BundleContext context = felix.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (String marker : List.of(
                "org.osgi.util.function.Function",
                "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext",
                "org.apache.felix.scr.impl.Activator",
                "org.apache.felix.cm.impl.ConfigurationAdminImpl")) {
            bundles.add(
                    context.installBundle(jarOf(Class.forName(marker)).toUri().toString()));
        }
        Bundle net = context.installBundle(bundleJar().toUri().toString());
        bundles.add(net);
        felix.start();
        for (Bundle bundle : bundles) {
            bundle.start();
        }
        assertEquals(Bundle.ACTIVE, net.getState());

        configure(
                context,
                "io.isola.ns.net",
                Map.of(
                        "network",
                        TestNetworks.NETWORK,
                        "configDir",
                        nets.configDir.toString(),
                        "runtimeDir",
                        nets.runtimeDir.toString(),
                        "subnet",
                        nets.subnet,
                        "cniPath",
                        "/usr/lib/cni"));
        NamespaceIsolator isolator = awaitConfigured(context, nets.runtimeDir.toString());
        assertTrue(
                isolator.getClass().getClassLoader() != NetIsolator.class.getClassLoader(), "not the bundle's class");

        try (Isola isola = Isola.builder()
                .isolators(List.of(isolator, TestIsolator.plain("mount", Namespace.MOUNT)))
                .build()) {
            Outcome none = Outcome.of(
                    isola,
                    ContainerSpec.builder("ip", "-o", "link", "show")
                            .with(Network.none())
                            .build());
            assertEquals(0, none.status().exitCode(), none.err());
            assertTrue(
                    none.out().startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>")
                            && none.out().lines().count() == 1,
                    none.out());
            Outcome bridge = Outcome.of(
                    isola,
                    ContainerSpec.builder("ip", "-o", "-4", "addr", "show", "dev", "eth0")
                            .with(Network.bridge())
                            .build());
            assertEquals(0, bridge.status().exitCode(), bridge.err());
            String prefix = nets.subnet.substring(0, nets.subnet.lastIndexOf('.'));
            assertTrue(bridge.out().contains("inet " + prefix + "."), bridge.out());
        }
        assertTrue(
                Files.exists(nets.configDir.resolve(TestNetworks.NETWORK + ".conflist")),
                "the configured config dir was not used");
    }

    /** Sets a configuration through ConfigAdmin, whose classes live only in its bundle: by reflection. */
    private static void configure(BundleContext context, String pid, Map<String, String> values) throws Exception {
        ServiceReference<?> ref = null;
        for (int i = 0; i < 200 && ref == null; i++) {
            // all references: the system bundle sees another copy of org.osgi.service.cm on the class
            // path, so the assignability filter of getServiceReference would hide the service
            ServiceReference<?>[] refs =
                    context.getAllServiceReferences("org.osgi.service.cm.ConfigurationAdmin", null);
            ref = refs == null ? null : refs[0];
            Thread.sleep(ref == null ? 50 : 0);
        }
        if (ref == null) {
            StringBuilder states = new StringBuilder();
            for (Bundle b : context.getBundles()) {
                states.append(b.getSymbolicName())
                        .append('=')
                        .append(b.getState())
                        .append(' ');
            }
            throw new AssertionError("no ConfigurationAdmin service within 10 s; bundles: " + states);
        }
        Object admin = context.getService(ref);
        Class<?> adminType = ref.getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
        Object configuration = adminType
                .getMethod("getConfiguration", String.class, String.class)
                .invoke(admin, pid, "?");
        Dictionary<String, Object> properties = new Hashtable<>(values);
        Method update =
                ref.getBundle().loadClass("org.osgi.service.cm.Configuration").getMethod("update", Dictionary.class);
        update.invoke(configuration, properties);
    }

    private static NamespaceIsolator awaitConfigured(BundleContext context, String runtimeDir) throws Exception {
        for (int i = 0; i < 200; i++) {
            for (ServiceReference<NamespaceIsolator> ref :
                    context.getServiceReferences(NamespaceIsolator.class, null)) {
                if (runtimeDir.equals(ref.getProperty("runtimeDir"))) {
                    return context.getService(ref);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no network isolator service with runtimeDir " + runtimeDir + " within 10 s");
    }

    private static Path jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * The bundle as bnd wrote it into target/classes (manifest, DS descriptor, embedded Jackson),
     * packed as a jar: tests run before the package phase.
     */
    private Path bundleJar() throws Exception {
        Path classes = jarOf(NetIsolator.class);
        Path jar = storage.resolve("isola-ns-net.jar");
        Manifest manifest;
        try (var in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = classes.relativize(p).toString();
                if (!name.equals("META-INF/MANIFEST.MF")) {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new IOException("cannot pack the bundle from " + classes, e);
        }
        return jar;
    }
}
