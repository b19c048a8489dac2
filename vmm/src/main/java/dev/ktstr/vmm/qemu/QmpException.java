package dev.ktstr.vmm.qemu;

import java.io.IOException;

/** A QMP command failed or the monitor connection broke. */
public class QmpException extends IOException {
    private static final long serialVersionUID = 1L;

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
