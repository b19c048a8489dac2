package dev.ktstr.vmm.qemu;

import java.util.List;

/** The accelerator a VM runs under. */
public enum Accel {
    /** Hardware virtualisation through /dev/kvm. */
    KVM(List.of("-accel", "kvm", "-cpu", "host")),
    /** QEMU's multi-threaded binary translator: one host thread per vCPU, works everywhere. */
    TCG(List.of("-accel", "tcg,thread=multi", "-cpu", "max"));

    private final List<String> qemuArgs;

    Accel(List<String> qemuArgs) {
        this.qemuArgs = qemuArgs;
    }

    public List<String> qemuArgs() {
        return qemuArgs;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
