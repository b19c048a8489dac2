package dev.ktstr.vmm.qemu;

import java.util.Locale;

/** What the user asked for with {@code --accel}. */
public enum AccelMode {
    AUTO, KVM, TCG;

    public static AccelMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown accelerator '" + text + "': use kvm, tcg or auto");
        }
    }
}
