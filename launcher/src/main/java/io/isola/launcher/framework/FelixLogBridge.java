package io.isola.launcher.framework;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the framework's messages to slf4j: Felix would print them on stdout, which is the
 * container's. Felix's debug level (every resolver wire) becomes slf4j's trace.
 */
final class FelixLogBridge extends org.apache.felix.framework.Logger {

    private static final Logger LOG = LoggerFactory.getLogger("org.apache.felix.framework");

    /** The Felix log level that lets through what slf4j would print, and nothing more. */
    int level() {
        if (LOG.isTraceEnabled()) {
            return LOG_DEBUG;
        }
        if (LOG.isInfoEnabled()) {
            return LOG_INFO;
        }
        return LOG.isWarnEnabled() ? LOG_WARNING : LOG_ERROR;
    }

    @Override
    @SuppressWarnings("rawtypes") // the overridden method's own signature
    protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
        doLog(level, bundle == null ? msg : bundle.getSymbolicName() + ": " + msg, throwable);
    }

    /** The resolver's messages come here directly, the framework's through the method above. */
    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        switch (level) {
            case LOG_ERROR -> LOG.error(msg, throwable);
            case LOG_WARNING -> LOG.warn(msg, throwable);
            case LOG_INFO -> LOG.info(msg, throwable);
            default -> LOG.trace(msg, throwable);
        }
    }
}
