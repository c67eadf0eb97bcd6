package io.isola.internal.nativ;

/** A fresh JVM that loads the native layer and prints whether it is still dumpable (prctl). */
public final class NativeLoadMain {

    private NativeLoadMain() {}

    public static void main(String[] args) {
        System.out.println("dumpable=" + Native.get().libc().prctl(Dumpability.PR_GET_DUMPABLE, 0, 0, 0, 0));
    }
}
