package dev.ktstr.vmm.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The host end of one virtio-serial port. {@link #in()} and {@link #out()} may be used from two
 * threads at once (unlike {@code Channels.newInputStream}, whose streams share one lock on JDK 17).
 * Reads return end-of-stream when QEMU exits. Treat every byte as untrusted.
 */
public final class PortChannel implements AutoCloseable {
    private final String name;
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    PortChannel(String name, SocketChannel channel) {
        this.name = name;
        this.channel = channel;
        this.in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                int n = channel.read(ByteBuffer.wrap(b, off, len));
                return n; // blocking channel: never 0 for len > 0
            }
        };
        this.out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) channel.write(buf);
            }
        };
    }

    public String name() {
        return name;
    }

    public InputStream in() {
        return in;
    }

    public OutputStream out() {
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
