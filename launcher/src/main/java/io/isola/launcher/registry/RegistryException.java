package io.isola.launcher.registry;

import java.io.IOException;

/** A registry refused or failed a request; the message names the registry, the request and the reason. */
public final class RegistryException extends IOException {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
