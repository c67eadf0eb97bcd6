package io.isola.launcher.cli.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Docker's {@code --cidfile FILE}: the container's id written to a new file, which must not exist
 * (so that two runs never share one). Created with O_EXCL, which also refuses a link put in its
 * place; removed again when the container never came to be.
 */
record CidFile(Path file) {

    /** Refuses a file that is there already, before the container is registered. */
    void requireAbsent() {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(found());
        }
    }

    void write(String id) {
        try {
            Files.write(
                    file,
                    id.getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(found(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("--cidfile " + file + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }

    /** Removes the file this run wrote, when its container is gone again. */
    void remove() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the container's failure is what the user must see; the file names an id that no longer exists
        }
    }

    private String found() {
        return "--cidfile " + file
                + ": the file exists; make sure the container it names is not running, or delete it (as Docker)";
    }
}
