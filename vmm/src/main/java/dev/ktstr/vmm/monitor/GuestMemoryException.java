package dev.ktstr.vmm.monitor;

/** A guest address that cannot be translated or read (unmapped, outside RAM, missing symbol). */
public class GuestMemoryException extends Exception {
    public GuestMemoryException(String message) {
        super(message);
    }
}
