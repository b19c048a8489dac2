package dev.ktstr.guest.agent;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The virtio-serial port named {@value #PORT_NAME}. There is no udev in the guest, so the
 * /dev/vportNpM node is found through /sys/class/virtio-ports/*&#47;name. A virtio port can be
 * open only once, so one read-write descriptor serves both directions.
 */
public final class DataPort implements AutoCloseable {
    public static final String PORT_NAME = "ktstr.data";
    private final RandomAccessFile file;
    public final InputStream in;
    public final OutputStream out;
    public final Path device;

    private DataPort(Path device) throws IOException {
        this.device = device;
        this.file = new RandomAccessFile(device.toFile(), "rw");
        this.in = new FileInputStream(file.getFD());
        this.out = new FileOutputStream(file.getFD());
    }

    /** {@code override} (KTSTR_AGENT_CHANNEL) wins; else the named virtio port under {@code sysClass}. */
    public static DataPort open(String override, Path sysClass, Path dev) throws IOException {
        if (override != null && !override.isBlank()) return new DataPort(Path.of(override));
        Path found = find(sysClass, dev);
        if (found == null) {
            throw new IOException("no virtio-serial port named '" + PORT_NAME + "' under " + sysClass
                    + "; start QEMU with -device virtserialport,name=" + PORT_NAME + " (microvm also needs virtio_mmio loaded)");
        }
        return new DataPort(found);
    }

    static Path find(Path sysClass, Path dev) throws IOException {
        if (!Files.isDirectory(sysClass)) return null;
        try (Stream<Path> s = Files.list(sysClass)) {
            for (Path p : s.sorted().toList()) {
                Path name = p.resolve("name");
                if (Files.isReadable(name) && Files.readString(name).trim().equals(PORT_NAME)) return dev.resolve(p.getFileName().toString());
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
