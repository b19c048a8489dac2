package dev.ktstr.vmm.elf;

import java.io.IOException;

/** A file looked like ELF but is not one we can read (wrong class, byte order, machine, or truncated). */
public final class ElfFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }
}
