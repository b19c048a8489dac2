package dev.ktstr.vmm.monitor;

/**
 * Translates guest kernel virtual addresses (x86-64) to guest-physical ones without the guest's
 * help: the kernel image mapping ({@code __START_KERNEL_map} + {@code phys_base}), the direct
 * map ({@code page_offset_base}), and otherwise a page-table walk from {@code init_top_pgt}
 * (4- or 5-level, as the guest chose).
 */
public final class KernelAddressSpace {
    public static final long START_KERNEL_MAP = 0xffffffff80000000L;
    /** The kernel image mapping covers at most 1 GiB (KERNEL_IMAGE_SIZE with KASLR). */
    private static final long KERNEL_IMAGE_SPAN = 1L << 30;
    private static final long PTE_PRESENT = 1;
    private static final long PTE_HUGE = 1L << 7;
    private static final long PHYS_MASK = 0x000ffffffffff000L;

    private final GuestMemory mem;
    private final long physBase;
    private final long pageOffsetBase;
    private final boolean fiveLevel;
    private final long topPgtPhys;

    private KernelAddressSpace(GuestMemory mem, long physBase, long pageOffsetBase, boolean fiveLevel, long topPgtPhys) {
        this.mem = mem;
        this.physBase = physBase;
        this.pageOffsetBase = pageOffsetBase;
        this.fiveLevel = fiveLevel;
        this.topPgtPhys = topPgtPhys;
    }

    /**
     * Reads the layout variables from guest memory. Call once the guest kernel has set up its
     * memory (page_offset_base is written early in boot); before that the values are defaults.
     */
    public static KernelAddressSpace read(GuestMemory mem, KernelSymbols syms) throws GuestMemoryException {
        // phys_base is itself in the image: read it assuming 0 (nokaslr, loaded at the link address)
        // and accept the value only if it is consistent with that assumption.
        long physBase = mem.readU64(syms.require("phys_base") - START_KERNEL_MAP);
        if (physBase != 0) {
            throw new GuestMemoryException(String.format("guest phys_base is 0x%x, not 0: the kernel was relocated "
                    + "(KASLR on or loaded off its link address); boot with nokaslr", physBase));
        }
        long pob = mem.readU64(image(syms.require("page_offset_base"), 0));
        boolean l5 = syms.address("__pgtable_l5_enabled").isPresent()
                && mem.readU32(image(syms.require("__pgtable_l5_enabled"), 0)) != 0;
        long pgt = image(syms.require("init_top_pgt"), 0);
        return new KernelAddressSpace(mem, physBase, pob, l5, pgt);
    }

    private static long image(long kva, long physBase) {
        return kva - START_KERNEL_MAP + physBase;
    }

    public long pageOffsetBase() {
        return pageOffsetBase;
    }

    public boolean fiveLevelPaging() {
        return fiveLevel;
    }

    public GuestMemory memory() {
        return mem;
    }

    public boolean inKernelImage(long kva) {
        return Long.compareUnsigned(kva, START_KERNEL_MAP) >= 0 && Long.compareUnsigned(kva, START_KERNEL_MAP + KERNEL_IMAGE_SPAN) < 0;
    }

    public boolean inDirectMap(long kva) {
        return Long.compareUnsigned(kva, pageOffsetBase) >= 0
                && Long.compareUnsigned(kva - pageOffsetBase, Math.max(mem.totalBytes(), GuestRamLayout.FOUR_G) + (1L << 40)) < 0;
    }

    /** Guest-physical address of a kernel virtual address. */
    public long toPhys(long kva) throws GuestMemoryException {
        if (inKernelImage(kva)) return image(kva, physBase);
        if (inDirectMap(kva)) return kva - pageOffsetBase;
        return walk(kva);
    }

    /** Page-table walk from init_top_pgt; used for vmalloc and anything outside the linear maps. */
    public long walk(long kva) throws GuestMemoryException {
        long table = topPgtPhys;
        int[] shifts = fiveLevel ? new int[] {48, 39, 30, 21, 12} : new int[] {39, 30, 21, 12};
        for (int level = 0; level < shifts.length; level++) {
            int shift = shifts[level];
            long idx = (kva >>> shift) & 0x1ff;
            long e = mem.readU64(table + idx * 8);
            if ((e & PTE_PRESENT) == 0) {
                throw new GuestMemoryException(String.format("kernel address 0x%x is not mapped (level %d entry 0x%x)", kva, level, e));
            }
            boolean leaf = shift == 12 || ((shift == 21 || shift == 30) && (e & PTE_HUGE) != 0);
            if (leaf) {
                long pageMask = (1L << shift) - 1;
                return (e & PHYS_MASK & ~pageMask) | (kva & pageMask);
            }
            table = e & PHYS_MASK;
        }
        throw new IllegalStateException("unreachable");
    }

    public long readU64(long kva) throws GuestMemoryException {
        return mem.readU64(toPhys(kva));
    }

    public int readU32(long kva) throws GuestMemoryException {
        return mem.readU32(toPhys(kva));
    }

    /** Reads bytes that may span pages that are not physically contiguous (walks per page). */
    public byte[] read(long kva, int len) throws GuestMemoryException {
        if (inKernelImage(kva) || inDirectMap(kva)) return mem.read(toPhys(kva), len);
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long va = kva + done;
            int n = (int) Math.min(len - done, 4096 - (va & 4095));
            System.arraycopy(mem.read(walk(va), n), 0, out, done, n);
            done += n;
        }
        return out;
    }
}
