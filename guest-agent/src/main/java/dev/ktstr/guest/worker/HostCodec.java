package dev.ktstr.guest.worker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Base64;

/**
 * Launches and reports between the agent and its own worker hosts (same jar, same VM) as Java
 * serialization of the records themselves. Why not JSON: under emulation a cold JVM spends seconds
 * in Jackson's bean introspection before it can read one launch or write one report (measured in
 * the guest: 1.8 s to write the first report, 3.1 s to read the first one), and that start is on
 * every spawn's critical path; the JDK's record serialization runs from the AOT cache and uses the
 * canonical constructors, so every invariant check still runs. The stream is filtered to the
 * project's and the JDK's classes. The host channel to the VM's host stays JSON.
 */
public final class HostCodec {
    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
            "maxdepth=20;maxrefs=100000;maxbytes=67108864;dev.ktstr.**;java.**;!*");

    private HostCodec() {}

    public static byte[] encode(Serializable value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    public static <T> T decode(byte[] bytes, Class<T> type) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(FILTER);
            return type.cast(in.readObject());
        } catch (IOException | ClassNotFoundException | ClassCastException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + " from a worker host: " + e, e);
        }
    }

    /** One protocol line's worth: base64 without line breaks. */
    public static String encodeLine(Serializable value) {
        return Base64.getEncoder().encodeToString(encode(value));
    }

    public static <T> T decodeLine(String line, Class<T> type) {
        try {
            return decode(Base64.getDecoder().decode(line.trim()), type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + " line from a worker host: " + e.getMessage(), e);
        }
    }
}
