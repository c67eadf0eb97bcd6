package io.isola.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The file system settings check their form when built, with messages that name the bad value. */
class FilesystemTest {

    @Test
    void volumesParseLikeDockers() {
        assertEquals(new Volume("/srv/data", "/data", false), Volume.parse("/srv/data:/data"));
        assertEquals(new Volume("/srv/data", "/data", true), Volume.parse("/srv/data:/data:ro"));
        assertEquals(new Volume("/srv/data", "/data", false), Volume.parse("/srv/data:/data:rw"));
    }

    @Test
    void badVolumesAreRefused() {
        assertEquals("volume \"/a\": expected HOST:CONTAINER or HOST:CONTAINER:ro", message(() -> Volume.parse("/a")));
        assertEquals(
                "volume \"/a:/b:rx\": option \"rx\" is not known, expected ro, rw or idmap",
                message(() -> Volume.parse("/a:/b:rx")));
        assertEquals(
                "volume source \"a\": expected an absolute path without NUL bytes",
                message(() -> Volume.parse("a:/b")));
        assertEquals(
                "volume target \"/./\": expected a path below /, the container's root cannot be a volume (use a root file system)",
                message(() -> Volume.parse("/a:/./")));
    }

    @Test
    void tmpfsOptionsParse() {
        assertEquals(new TmpfsMount("/run", 64L << 20, 0755, true), TmpfsMount.parse("/run:size=64m,mode=755,noexec"));
        assertEquals(TmpfsMount.at("/tmp"), TmpfsMount.parse("/tmp"));
        assertEquals(
                "tmpfs \"/t:size=12q\": size \"12q\" is not a number of bytes with an optional k, m or g",
                message(() -> TmpfsMount.parse("/t:size=12q")));
        assertEquals(
                "tmpfs \"/t:suid\": option \"suid\" is not known, expected size=N[k|m|g], mode=OCTAL, exec, noexec or rw",
                message(() -> TmpfsMount.parse("/t:suid")));
    }

    @Test
    void twoMountsOnOneTargetAreRefused() {
        assertEquals(
                "mount target \"/data/\": used twice, expected one volume or tmpfs per container path",
                message(() -> Filesystem.builder()
                        .volume(Volume.parse("/a:/data"))
                        .tmpfs(TmpfsMount.at("/data/"))
                        .build()));
        assertEquals(
                "root file system \"rootfs\": expected an absolute path without NUL bytes",
                message(() -> Filesystem.builder().rootfs("rootfs").build()));
    }

    private static String message(Executable executable) {
        return assertThrows(IllegalArgumentException.class, executable).getMessage();
    }
}
