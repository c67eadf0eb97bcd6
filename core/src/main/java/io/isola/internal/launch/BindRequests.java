package io.isola.internal.launch;

import io.isola.spi.ContainerBind;
import java.util.ArrayList;
import java.util.List;

/**
 * One container's bind requests ({@code IsolationRequest.requestBind}): collected while the
 * isolators prepare, read once by the isolator in charge of them. A request that comes after
 * the reading would be silently lost, so it is refused instead.
 */
final class BindRequests {

    private final List<ContainerBind> binds = new ArrayList<>();
    private boolean read;

    synchronized void add(ContainerBind bind) {
        if (read) {
            throw new IllegalStateException(bind.what() + ": requested after the bind requests were read; request binds"
                    + " from prepare, which runs before the mount namespace's isolator prepares");
        }
        binds.add(bind);
    }

    synchronized List<ContainerBind> read() {
        read = true;
        return List.copyOf(binds);
    }
}
