package io.isola.api;

/**
 * Spec extension: a container without a host name of its own keeps the runtime's in its new UTS
 * namespace, which the kernel copies from the runtime's, as an OCI config.json without {@code
 * hostname} asks (runc leaves it so). Without this extension such a container gets its id's first
 * twelve characters, as Docker gives them. A host name in the spec wins.
 *
 * @since 1.5
 */
public record RuntimeHostname() {}
