package dev.ktstr.vmm.monitor;

import dev.ktstr.vmm.btf.Btf;
import java.nio.charset.StandardCharsets;

/**
 * Everything needed to read a running guest kernel from the host: its RAM, symbol table, BTF,
 * address translation and configuration. Built once per VM after the kernel has booted.
 */
public record GuestKernel(GuestMemory memory, KernelSymbols symbols, Btf btf, KernelAddressSpace addressSpace,
                          KernelConfig config, String banner) {

    /**
     * Attaches to a booted guest and checks the translation by reading {@code linux_banner}
     * (the guest's "Linux version ..." string) through it.
     *
     * @param fallbackConfig used when the kernel has no IKCONFIG (e.g. the .config next to the image)
     */
    public static GuestKernel attach(GuestMemory mem, KernelSymbols syms, Btf btf, KernelConfig fallbackConfig)
            throws GuestMemoryException {
        KernelAddressSpace as = KernelAddressSpace.read(mem, syms);
        byte[] b = as.read(syms.require("linux_banner"), 160);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        String banner = new String(b, 0, n, StandardCharsets.US_ASCII).strip();
        if (!banner.startsWith("Linux version ")) {
            throw new GuestMemoryException("guest memory does not hold this kernel at the System.map addresses (linux_banner reads '"
                    + banner.replaceAll("[^ -~]", "?") + "'): wrong System.map for the booted image, or the guest was not booted with nokaslr");
        }
        KernelConfig cfg = KernelConfig.fromGuest(as, syms).orElse(fallbackConfig != null ? fallbackConfig
                : new KernelConfig(java.util.Map.of(), "none: no IKCONFIG and no config file (HZ assumed " + KernelConfig.DEFAULT_HZ + ")"));
        return new GuestKernel(mem, syms, btf, as, cfg, banner);
    }

    public int hz() {
        return config.hz();
    }

    /** Guest ticks are the unit of the stall check's vCPU-preemption threshold: 10 ticks. */
    public long preemptionThresholdNs() {
        return 10L * (1_000_000_000L / hz());
    }
}
