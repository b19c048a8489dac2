package dev.ktstr.vmm.qemu;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Picks KVM or TCG. {@code auto} only picks KVM when the host can really run a guest with it;
 * the answer is cached per host (kernel release + CPU model) under {@code <cache>/accel/}.
 */
public final class AcceleratorChooser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cacheDir;

    public AcceleratorChooser(Path cacheRoot) {
        this.cacheDir = cacheRoot.resolve("accel");
    }

    /** Pure decision from host facts. An explicit {@code kvm} on an unfit host is an error, not a fallback. */
    public static AccelDecision decide(AccelMode mode, HostVirtFacts facts) {
        String problem = kvmProblem(facts);
        switch (mode) {
            case TCG:
                return new AccelDecision(Accel.TCG, "requested with --accel tcg", false);
            case KVM:
                if (problem != null) {
                    throw new IllegalStateException("--accel kvm requested but KVM cannot run guests here: " + problem
                            + ". Use --accel tcg (or auto) on this host.");
                }
                return new AccelDecision(Accel.KVM, "requested with --accel kvm", false);
            default:
                return problem == null
                        ? new AccelDecision(Accel.KVM, "hardware virtualisation available (" + String.join(",", facts.kvmModules()) + ", /dev/kvm rw)", false)
                        : new AccelDecision(Accel.TCG, "KVM unusable: " + problem + "; using TCG (software emulation, slower)", false);
        }
    }

    /** Why KVM cannot boot a stock guest kernel here, or null when it can. */
    static String kvmProblem(HostVirtFacts f) {
        if (!f.cpuFlag()) {
            String extra = f.kvmModules().contains("kvm_pvm") ? " (/dev/kvm is the kvm_pvm software hypervisor)" : "";
            return "no vmx/svm flag in /proc/cpuinfo" + extra;
        }
        if (!f.hasVendorModule()) return "neither kvm_intel nor kvm_amd is loaded";
        if (!f.devKvmUsable()) return "/dev/kvm is missing or not read-writable by this user";
        return null;
    }

    /** {@link #decide} with the per-host cache for {@code auto}. */
    public AccelDecision choose(AccelMode mode, HostVirtFacts facts) {
        if (mode != AccelMode.AUTO) return decide(mode, facts);
        Path file = cacheDir.resolve(hostKey(facts) + ".json");
        Optional<AccelDecision> cached = readCache(file);
        if (cached.isPresent()) return cached.get();
        AccelDecision fresh = decide(mode, facts);
        writeCache(file, fresh, facts);
        return fresh;
    }

    static String hostKey(HostVirtFacts f) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            // /dev/kvm permissions are part of the key so a chmod or group change is noticed.
            String key = f.kernelRelease() + "\n" + f.cpuModel() + "\n" + f.cpuFlag() + "\n" + f.kvmModules() + "\n" + f.devKvmUsable();
            return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record CacheRecord(String accel, String reason, String kernelRelease, String cpuModel) {}

    private static Optional<AccelDecision> readCache(Path file) {
        try {
            if (!Files.isRegularFile(file)) return Optional.empty();
            CacheRecord r = JSON.readValue(file.toFile(), CacheRecord.class);
            return Optional.of(new AccelDecision(Accel.valueOf(r.accel()), r.reason(), true));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a corrupt cache entry is recomputed, never trusted
        }
    }

    private static void writeCache(Path file, AccelDecision d, HostVirtFacts f) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "accel", ".tmp");
            JSON.writeValue(tmp.toFile(), new CacheRecord(d.accel().name(), d.reason(), f.kernelRelease(), f.cpuModel()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // The cache only saves a cheap check; failing to write it must not fail the run.
        }
    }
}
