package io.isola.ns.mount;

/** What a path in the container is, as far as the host can tell before the container starts. */
sealed interface Entry {

    Entry DIRECTORY = new Directory();
    Entry FILE = new NonDirectory();
    Entry MISSING = new Missing();

    record Directory() implements Entry {}

    /** A regular file, device or socket: nothing can be below it. */
    record NonDirectory() implements Entry {}

    /** A symbolic link; {@code target} is read as the container would read it. */
    record Link(String target) implements Entry {}

    record Missing() implements Entry {}
}
