package io.isola.launcher;

import io.isola.internal.nativ.Native;
import org.slf4j.LoggerFactory;

/**
 * Loads the native layer (jnr-ffi binds libc, generating its stubs: about a third of a cold
 * {@code isola run}) on a second thread while Felix boots on the first, as the two do not depend
 * on each other. Whatever fails here fails again, with its real message, where the container
 * starts.
 */
public final class NativePreload {

    private NativePreload() {}

    public static void start() {
        Thread thread = new Thread(NativePreload::load, "isola-native-preload");
        thread.setDaemon(true); // never holds up the exit
        thread.start();
    }

    private static void load() {
        try {
            Native.get().lastErrno();
        } catch (Throwable e) {
            LoggerFactory.getLogger(NativePreload.class).debug("native preload failed: {}", e.toString());
        }
    }
}
