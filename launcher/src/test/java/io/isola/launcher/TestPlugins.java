package io.isola.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small plugin bundles at test time: one isolator class whose body the test writes, and an
 * activator registering it. Extra sources are compiled alongside but left out of the jar (a stub
 * of a newer SPI, say).
 */
final class TestPlugins {

    private TestPlugins() {}

    /**
     * @param symbolicName the bundle's name, also the package of its classes
     * @param isolatorBody the members of a class implementing NamespaceIsolator
     * @param stubs sources compiled with the plugin but not packed (path -> source)
     */
    static Path build(Path dir, String symbolicName, String isolatorBody, String... stubs) throws IOException {
        Path src = Files.createTempDirectory(dir, "src-");
        Path classes = Files.createTempDirectory(dir, "classes-");
        String pkg = symbolicName;
        List<String> files = new ArrayList<>();
        files.add(write(
                src,
                pkg.replace('.', '/') + "/Plugin.java",
                "package " + pkg + ";\n"
                        + "import io.isola.spi.*;\n"
                        + "public final class Plugin implements NamespaceIsolator {\n" + isolatorBody + "\n}\n"));
        files.add(write(
                src,
                pkg.replace('.', '/') + "/Activator.java",
                "package " + pkg + ";\n"
                        + "import org.osgi.framework.*;\n"
                        + "public final class Activator implements BundleActivator {\n"
                        + "  public void start(BundleContext c) { c.registerService(io.isola.spi.NamespaceIsolator.class, new Plugin(), null); }\n"
                        + "  public void stop(BundleContext c) {}\n}\n"));
        for (int i = 0; i < stubs.length; i += 2) {
            files.add(write(src, stubs[i], stubs[i + 1]));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of(
                "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), "--release", "17", "-nowarn"));
        args.addAll(files);
        if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("the test plugin " + symbolicName + " does not compile");
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Activator", pkg + ".Activator");
        main.putValue(
                "Import-Package",
                "io.isola.spi;version=\"[2.0,3)\",io.isola.api;version=\"[1.0,2)\",org.osgi.framework");
        Path jar = dir.resolve(symbolicName + ".jar");
        Path packed = classes.resolve(pkg.replace('.', '/'));
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out, manifest);
                Stream<Path> classFiles = Files.list(packed)) {
            for (Path file : classFiles.toList()) {
                zip.putNextEntry(new JarEntry(pkg.replace('.', '/') + "/" + file.getFileName()));
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static String write(Path root, String path, String source) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        return file.toString();
    }
}
