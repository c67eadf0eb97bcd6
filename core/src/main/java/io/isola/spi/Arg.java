package io.isola.spi;

import java.util.List;
import java.util.Objects;

/**
 * One argument of a child-side libc call. The host lays every argument out in native memory before
 * the clone; the child only passes the resulting words to the function.
 */
public sealed interface Arg {

    /** A NULL pointer. */
    Arg NULL = new Word(0);

    /** An integer or flag word, passed as is. */
    record Word(long value) implements Arg {}

    /** A NUL-terminated string (UTF-8); the call receives its address. */
    record Text(String value) implements Arg {
        public Text {
            Objects.requireNonNull(value, "value");
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("string argument contains a NUL byte: " + value);
            }
        }
    }

    /** Raw bytes; the call receives their address. */
    record Bytes(byte[] value) implements Arg {
        public Bytes {
            value = value.clone();
        }
    }

    /**
     * Bytes whose word at {@code offset} points to {@code target}, laid out beside them: a struct
     * that holds a pointer, as seccomp's {@code struct sock_fprog} holds its filter. The call
     * receives the address of {@code bytes}.
     */
    record Linked(byte[] bytes, int offset, byte[] target) implements Arg {
        public Linked {
            bytes = bytes.clone();
            target = target.clone();
            if (offset < 0 || offset % 8 != 0 || offset + 8 > bytes.length) {
                throw new IllegalArgumentException(
                        "pointer offset " + offset + " is not an aligned word inside " + bytes.length + " bytes");
            }
        }
    }

    /** A NULL-terminated array of strings ({@code char *const[]}), as execve's argv. */
    record TextArray(List<String> values) implements Arg {
        public TextArray {
            values = List.copyOf(values);
            values.forEach(Text::new);
        }
    }

    static Arg word(long value) {
        return new Word(value);
    }

    static Arg text(String value) {
        return new Text(value);
    }
}
