package dev.ktstr.vmm.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the host offers for hardware virtualisation. A usable KVM needs all three: the CPU flag
 * (vmx/svm), the matching vendor module, and read-write /dev/kvm. Software hypervisors such as
 * kvm_pvm expose /dev/kvm without the flag and emulate guest kernels too slowly to boot them.
 */
public record HostVirtFacts(boolean cpuFlag, List<String> kvmModules, boolean devKvmUsable,
                            String kernelRelease, String cpuModel) {

    public HostVirtFacts {
        kvmModules = List.copyOf(kvmModules);
    }

    public boolean hasVendorModule() {
        return kvmModules.contains("kvm_intel") || kvmModules.contains("kvm_amd");
    }

    /** Reads the facts from /proc and /sys of this host. */
    public static HostVirtFacts probe() {
        return probe(Path.of("/"));
    }

    static HostVirtFacts probe(Path root) {
        String cpuinfo = read(root.resolve("proc/cpuinfo"));
        boolean flag = false;
        String model = "unknown";
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                String flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                flag |= flags.contains(" vmx ") || flags.contains(" svm ");
            } else if (line.startsWith("model name") && model.equals("unknown")) {
                model = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        List<String> modules = new ArrayList<>();
        for (String m : List.of("kvm_intel", "kvm_amd", "kvm_pvm")) {
            if (Files.isDirectory(root.resolve("sys/module").resolve(m))) modules.add(m);
        }
        Path kvm = root.resolve("dev/kvm");
        boolean usable = Files.exists(kvm) && Files.isReadable(kvm) && Files.isWritable(kvm);
        String release = read(root.resolve("proc/sys/kernel/osrelease")).trim();
        return new HostVirtFacts(flag, modules, usable, release.isEmpty() ? "unknown" : release, model);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
