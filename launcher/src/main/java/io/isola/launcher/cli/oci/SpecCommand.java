package io.isola.launcher.cli.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * OCI {@code spec}: writes a starter config.json that isola runs as it is today: the bundle's
 * {@code rootfs} read-only, new PID, IPC, UTS and mount namespaces with the kernel file systems
 * the mount isolator provides, and {@code sh}.
 */
@Command(name = "spec", description = "Write a starter config.json (OCI runtime verb).")
public final class SpecCommand implements Callable<Integer> {

    static final String TEMPLATE = """
            {
              "ociVersion": "1.2.0",
              "process": {
                "terminal": false,
                "user": {"uid": 0, "gid": 0},
                "args": ["sh"],
                "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                "cwd": "/"
              },
              "root": {"path": "rootfs", "readonly": true},
              "hostname": "isola",
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts"},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm"},
                {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue"},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs"}
              ],
              "linux": {
                "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]
              }
            }
            """;

    @Option(
            names = {"-b", "--bundle"},
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Where to write config.json.")
    private Path bundle;

    @Override
    public Integer call() throws IOException {
        Path config = bundle.resolve("config.json");
        if (Files.exists(config)) {
            throw new IllegalArgumentException("file \"" + config + "\" exists: remove it first");
        }
        Files.writeString(config, TEMPLATE);
        return 0;
    }
}
