package dev.ktstr.vmm.kernel;

import java.util.List;

/** Implicit discovery found nothing; the message lists every place tried and how to get a kernel. */
public final class NoKernelFoundException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final List<String> tried;

    public NoKernelFoundException(List<String> tried) {
        super(message(tried));
        this.tried = List.copyOf(tried);
    }

    public List<String> tried() {
        return tried;
    }

    private static String message(List<String> tried) {
        StringBuilder sb = new StringBuilder("no kernel found. Looked at:\n");
        for (String t : tried) sb.append("  - ").append(t).append('\n');
        sb.append("Fix: build and cache a sched_ext kernel with `bin/ktstr kernel build` (from /usr/src/linux-source-*.tar.xz,\n")
          .append("     or `--source DIR|TARBALL`), or set KTSTR_KERNEL=<path|version|cache key>,\n")
          .append("     or set KTSTR_TEST_KERNEL=<bootable image path>.");
        return sb.toString();
    }
}
