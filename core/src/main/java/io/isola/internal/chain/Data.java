package io.isola.internal.chain;

import io.isola.internal.nativ.ForeignMemory;
import io.isola.spi.Arg;
import io.isola.spi.Step;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Lays out the steps' arguments in the arena's data region and turns them into machine words. */
final class Data {

    private final ForeignMemory memory;
    private long next;

    Data(ForeignMemory memory, long start) {
        this.memory = memory;
        this.next = start;
    }

    /** How many bytes {@code arg} takes in the data region. */
    static long size(Arg arg) {
        if (arg instanceof Arg.Text text) {
            return ChainCompiler.align(utf8(text.value()).length + 1L);
        } else if (arg instanceof Arg.Bytes bytes) {
            return ChainCompiler.align(bytes.value().length);
        } else if (arg instanceof Arg.Linked linked) {
            return ChainCompiler.align(linked.bytes().length) + ChainCompiler.align(linked.target().length);
        } else if (arg instanceof Arg.TextArray array) {
            long size = ChainCompiler.align(8L * (array.values().size() + 1));
            for (String value : array.values()) {
                size += ChainCompiler.align(utf8(value).length + 1L);
            }
            return size;
        }
        return 0;
    }

    /** The words passed to {@code step}'s function. */
    long[] words(Step step) {
        List<Arg> args = step.args();
        long[] words = new long[args.size()];
        for (int i = 0; i < words.length; i++) {
            words[i] = word(args.get(i));
        }
        return words;
    }

    long word(Arg arg) {
        if (arg instanceof Arg.Word word) {
            return word.value();
        } else if (arg instanceof Arg.Text text) {
            return text(text.value());
        } else if (arg instanceof Arg.Bytes bytes) {
            long at = take(bytes.value().length);
            memory.putBytes(at, bytes.value());
            return at;
        } else if (arg instanceof Arg.Linked linked) {
            long target = take(linked.target().length);
            memory.putBytes(target, linked.target());
            long at = take(linked.bytes().length);
            memory.putBytes(at, linked.bytes());
            memory.putLong(at + linked.offset(), target);
            return at;
        } else if (arg instanceof Arg.TextArray array) {
            return textArray(array.values());
        }
        throw new IllegalArgumentException("unknown argument " + arg);
    }

    long text(String value) {
        byte[] bytes = utf8(value);
        long at = take(bytes.length + 1L);
        memory.putBytes(at, bytes);
        memory.zero(at + bytes.length, 1);
        return at;
    }

    /** A NULL-terminated array of string pointers. */
    long textArray(List<String> values) {
        long array = take(8L * (values.size() + 1));
        for (int i = 0; i < values.size(); i++) {
            memory.putLong(array + 8L * i, text(values.get(i)));
        }
        memory.putLong(array + 8L * values.size(), 0);
        return array;
    }

    long zeroed(long length) {
        long at = take(length);
        memory.zero(at, length);
        return at;
    }

    private long take(long length) {
        long at = next;
        next += ChainCompiler.align(length);
        return at;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
