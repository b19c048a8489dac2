package dev.ktstr.vmm.qemu;

import dev.ktstr.protocol.topology.Topology;

/** QEMU machine model. */
public enum MachineType {
    /**
     * No firmware, no PCI: the fastest boot (~2 s to /init under TCG). It has no SRAT, so the
     * guest sees a single NUMA node whatever {@code -numa} says.
     */
    MICROVM("microvm,x-option-roms=off,isa-serial=on", "virtio-serial-device"),
    /** ACPI with SRAT/SLIT: needed for more than one NUMA node. ~0.5–1.5 s slower under TCG. */
    Q35("q35", "virtio-serial-pci");

    private final String machineArg;
    private final String virtioSerialDevice;

    MachineType(String machineArg, String virtioSerialDevice) {
        this.machineArg = machineArg;
        this.virtioSerialDevice = virtioSerialDevice;
    }

    public String machineArg() {
        return machineArg;
    }

    public String virtioSerialDevice() {
        return virtioSerialDevice;
    }

    /** microvm unless the topology needs NUMA, which only q35 can describe to the guest. */
    public static MachineType forTopology(Topology t) {
        return t.numaNodes() > 1 ? Q35 : MICROVM;
    }
}
