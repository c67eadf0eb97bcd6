package io.isola.launcher.client;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line run in this JVM, as bin/isola runs it without a server: the distribution's
 * whole class path in a loader of its own (the client's class path holds only the launcher jar,
 * and a class found there first would not see picocli or Felix), and as this JVM's
 * {@code java.class.path}.
 */
final class InProcess {

    private InProcess() {}

    static void runAndExit(String[] args) {
        List<URL> urls = new ArrayList<>();
        try {
            List<String> classPath = classPath();
            for (String entry : classPath) {
                urls.add(Path.of(entry).toUri().toURL());
            }
            // the class path a JVM started from here is given (a detached run's monitor,
            // MonitorProcess.javaCommand): the distribution's, as in bin/isola's own JVM, not the
            // client's jars alone, without picocli or Felix (its monitor ended before it started)
            System.setProperty("java.class.path", String.join(File.pathSeparator, classPath));
        } catch (IOException e) {
            System.err.println("isola: cannot read the class path of the distribution: " + e.getMessage());
            System.exit(FailureStatus.of(args));
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        try {
            loader.loadClass("io.isola.launcher.Main")
                    .getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            System.err.println("isola: internal error: " + cause);
            System.exit(FailureStatus.of(args));
        } catch (ReflectiveOperationException e) {
            System.err.println("isola: cannot start the in-process command line: " + e);
            System.exit(FailureStatus.of(args));
        }
    }

    /** lib/classpath of the distribution, else {@code isola.client.classpath}, else our own. */
    private static List<String> classPath() throws IOException {
        String home = System.getProperty("isola.home");
        if (home != null && Files.isReadable(Path.of(home, "lib", "classpath"))) {
            List<String> entries = new ArrayList<>();
            for (String jar : Files.readAllLines(Path.of(home, "lib", "classpath"))) {
                if (!jar.isBlank()) {
                    entries.add(Path.of(home, "lib", jar.strip()).toString());
                }
            }
            return entries;
        }
        String explicit = System.getProperty("isola.client.classpath", System.getProperty("java.class.path"));
        return List.of(explicit.split(File.pathSeparator));
    }
}
