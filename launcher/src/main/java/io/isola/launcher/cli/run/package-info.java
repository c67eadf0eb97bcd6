/**
 * {@code isola run} (and Docker's {@code create}, which takes the same options): its option
 * groups (namespaces, files, resources, network, security, users, volumes), each turned into the
 * {@link io.isola.api.ContainerSpec} the runtime starts; then {@link io.isola.launcher.cli.run.RunFlow}
 * registers the container and monitors it in the foreground or hands it to a monitor (-d).
 * Docker flags isola lacks are refused by name ({@link io.isola.launcher.cli.run.DockerOnlyFlags}).
 */
package io.isola.launcher.cli.run;
