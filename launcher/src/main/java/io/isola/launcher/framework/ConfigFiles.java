package io.isola.launcher.framework;

import java.net.URI;
import java.nio.file.Path;

/** How a configuration file is shown in messages: FileInstall records it as a file: URL. */
final class ConfigFiles {

    private ConfigFiles() {}

    static String display(String fileInstallName) {
        try {
            return fileInstallName.startsWith("file:")
                    ? Path.of(URI.create(fileInstallName)).toString()
                    : fileInstallName;
        } catch (IllegalArgumentException e) {
            return fileInstallName;
        }
    }
}
