/**
 * The network isolator bundle: a network namespace per container with {@code lo} up, joined to
 * a network by CNI plugins ({@code cni}) or, rootless, by pasta; the container's /etc/hosts,
 * /etc/hostname and /etc/resolv.conf; the networks users can name (CNI configuration files) and the
 * state that lets a later process undo what a dead host left behind.
 */
package io.isola.ns.net;
