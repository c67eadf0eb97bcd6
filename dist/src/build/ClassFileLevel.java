import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * Raises the class files of the distribution's third-party jars (lib/) that are older than Java
 * 6's (version 50) to Java 8's (52), with the stack map frames that version needs, computed by
 * ASM. JDK 24+'s AOT cache leaves out every class that needs the old type-inferring verifier
 * ("Skipping ...: Old class has been linked"), so picocli (Java 5 class files), ASM and
 * jnr-x86asm were read from their jars and verified at every cold start on JDK 25: ~160 ms of a
 * cold run's ~1.2 s of CPU. Nothing else in a class changes, and a jar without such classes is
 * left as it is. Each class rewritten is then linked (verified by the new verifier) through a
 * loader over the rewritten jars, so that a frame ASM got wrong fails the build, not a run.
 *
 * <p>Usage: {@code java -cp ASM_JAR ClassFileLevel.java LIB_DIR} (finish-dist.sh).
 */
public final class ClassFileLevel {

    /** Java 6's class files carry stack map frames; older ones need the verifier the AOT cache skips. */
    private static final int FIRST_WITH_FRAMES = 50;

    private ClassFileLevel() {}

    public static void main(String[] args) throws Exception {
        Path lib = Path.of(args[0]);
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        List<String> rewritten = new ArrayList<>();
        try (URLClassLoader original = loaderOver(jars)) {
            for (Path jar : jars) {
                if (!jar.getFileName().toString().startsWith("isola-")) {
                    rewritten.addAll(raise(jar, original));
                }
            }
        }
        try (URLClassLoader raised = loaderOver(jars)) {
            for (String name : rewritten) {
                link(raised, name);
            }
        }
        System.out.println("class files raised to version 52: " + rewritten.size());
    }

    /** Rewrites the old class files of {@code jar} in place; the names of the classes it rewrote. */
    private static List<String> raise(Path jar, ClassLoader loader) throws IOException {
        List<String> names = new ArrayList<>();
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (ZipFile zip = new ZipFile(jar.toFile());
                OutputStream file = Files.newOutputStream(tmp);
                ZipOutputStream out = new ZipOutputStream(file)) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (entry.getName().startsWith("META-INF/") && entry.getName().endsWith(".SF")) {
                    throw new IOException(jar + " is signed: its class files cannot be rewritten");
                }
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (old(entry, bytes)) {
                    bytes = withFrames(bytes, loader);
                    String path = entry.getName();
                    names.add(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        if (names.isEmpty()) {
            Files.delete(tmp);
        } else {
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return names;
    }

    /** A class file (not a module descriptor nor a multi-release entry, which are newer) below version 50. */
    private static boolean old(ZipEntry entry, byte[] bytes) {
        String name = entry.getName();
        if (!name.endsWith(".class") || name.endsWith("module-info.class") || name.startsWith("META-INF/")) {
            return false;
        }
        int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
        return major < FIRST_WITH_FRAMES;
    }

    private static byte[] withFrames(byte[] bytes, ClassLoader loader) {
        // COMPUTE_FRAMES finds common superclasses by loading them: through the jars of lib/ (ASM's
        // default would look on this program's class path, which has ASM alone)
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return loader;
            }
        };
        ClassVisitor raise = new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(
                    int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        };
        new ClassReader(bytes).accept(raise, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    /**
     * Loads and links (verifies) {@code name}: the JVM links a class before it lists its methods. A
     * class whose optional dependency is not in lib/ cannot load, as it could not before either.
     */
    private static void link(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader).getDeclaredMethods();
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            // an optional dependency absent from lib/ (asm-util's, for one): never loaded at run time either
        } catch (VerifyError | ClassFormatError e) {
            throw new IllegalStateException("class " + name + " fails verification once raised: " + e, e);
        }
    }

    private static URLClassLoader loaderOver(List<Path> jars) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }
}
