package dev.ktstr.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data port is found by its virtio name in sysfs (no udev in the guest). */
class DataPortTest {
    @TempDir
    Path tmp;

    @Test
    void findsThePortNamedKtstrData() throws Exception {
        Path sys = tmp.resolve("virtio-ports");
        Files.createDirectories(sys.resolve("vport0p0"));
        Files.writeString(sys.resolve("vport0p0/name"), "ktstr.stdout\n");
        Files.createDirectories(sys.resolve("vport0p3"));
        Files.writeString(sys.resolve("vport0p3/name"), "ktstr.data\n");
        assertThat(DataPort.find(sys, Path.of("/dev"))).isEqualTo(Path.of("/dev/vport0p3"));
    }

    @Test
    void missingPortIsAnErrorNamingTheQemuOption() throws Exception {
        Path sys = Files.createDirectories(tmp.resolve("virtio-ports"));
        assertThatThrownBy(() -> DataPort.open(null, sys, Path.of("/dev")))
                .hasMessageContaining("ktstr.data").hasMessageContaining("virtserialport");
    }
}
