package dev.ktstr.guest.cgroup;

/** A cgroupfs operation failed; the message names the file, the value and a likely fix. */
public class CgroupException extends RuntimeException {
    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
