package io.isola.internal.nativ;

import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to libc: the jnr-ffi binding, symbol addresses for the child's steps, and the single
 * place where a failed call's errno becomes an exception.
 *
 * <p>Loading jnr-ffi costs a few hundred milliseconds in a fresh JVM, so it happens once, lazily,
 * and is shared by every runtime in the JVM.
 */
public final class Native {

    private static final Logger LOG = LoggerFactory.getLogger(Native.class);

    private final LibC libc;
    private final Runtime runtime;
    private final Library libcHandle;

    private Native() {
        long start = System.nanoTime();
        this.libc = LibraryLoader.create(LibC.class).load("c");
        this.runtime = Runtime.getRuntime(libc);
        // jnr-ffi's own symbol lookup is not public; jffi's is. dlsym returns resolved addresses,
        // so the child never goes through lazy binding (which would take the loader's lock).
        this.libcHandle = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL);
        if (libcHandle == null) {
            throw new IllegalStateException("cannot open libc.so.6: " + Library.getLastError());
        }
        LOG.debug("native layer loaded in {} ms", (System.nanoTime() - start) / 1_000_000);
        // a runtime that loads the native layer is about to create processes: from now on, for
        // its life, none of them may be dumpable (Dumpability)
        try {
            Dumpability.ensure(this);
        } catch (RuntimeException e) {
            // not fatal to the native layer: every clone checks again and refuses then
            LOG.warn(e.getMessage());
        }
    }

    private static final class Holder {
        static final Native INSTANCE = new Native();
    }

    public static Native get() {
        return Holder.INSTANCE;
    }

    public LibC libc() {
        return libc;
    }

    public MemoryIO memory() {
        return MemoryIO.getInstance();
    }

    /** The address of libc's {@code name}; a missing symbol names itself. */
    public long symbol(String name) {
        long address = libcHandle.getSymbolAddress(name);
        if (address == 0) {
            throw new IllegalArgumentException("libc has no function \"" + name + "\"");
        }
        return address;
    }

    /** The errno of the last call made on this thread through the binding. */
    public int lastErrno() {
        return runtime.getLastError();
    }

    /** Returns {@code rc}, or throws naming {@code call} and the errno when it is negative. */
    public int check(String call, int rc) {
        if (rc < 0) {
            throw new NativeException(call, lastErrno());
        }
        return rc;
    }

    public long check(String call, long rc) {
        if (rc < 0) {
            throw new NativeException(call, lastErrno());
        }
        return rc;
    }

    /** Calls {@code op} again while it fails with EINTR; checks the final result. */
    public int retrying(String call, IntSupplier op) {
        while (true) {
            int rc = op.getAsInt();
            if (rc >= 0 || lastErrno() != Errno.EINTR) {
                return check(call, rc);
            }
        }
    }

    public long retrying(String call, LongSupplier op) {
        while (true) {
            long rc = op.getAsLong();
            if (rc >= 0 || lastErrno() != Errno.EINTR) {
                return check(call, rc);
            }
        }
    }
}
