/**
 * The user isolator bundle: a user namespace created first, its uid and gid maps planned from
 * the spec, the caller and /etc/subuid and /etc/subgid, and written by the host (or by
 * newuidmap/newgidmap for a user other than root) while the child waits.
 */
package io.isola.ns.user;
