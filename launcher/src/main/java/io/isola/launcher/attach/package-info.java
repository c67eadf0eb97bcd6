/**
 * {@code attach} and {@code start -a}: a detached container's terminal (or kept stdin and output)
 * is held by whatever monitors it, the resident server or a monitor process
 * ({@link io.isola.launcher.attach.ConsoleHolder}), which copies the output to the container's
 * log and to every attach; an attach reaches it on a unix socket in the container's 0700 state
 * directory ({@link io.isola.launcher.attach.AttachWire} is the protocol), and never gets the
 * terminal's fd itself.
 */
package io.isola.launcher.attach;
