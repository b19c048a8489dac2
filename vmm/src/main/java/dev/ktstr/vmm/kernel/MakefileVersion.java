package dev.ktstr.vmm.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads the kernel release from the head of a kernel tree's top-level Makefile. */
public final class MakefileVersion {
    private MakefileVersion() {}

    /** {@code VERSION.PATCHLEVEL.SUBLEVEL} plus EXTRAVERSION (e.g. {@code -rc3}); empty if the text is no kernel Makefile. */
    public static Optional<String> parse(String makefileHead) {
        Map<String, String> vars = new HashMap<>();
        for (String line : makefileHead.split("\n", 40)) {
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String name = line.substring(0, eq).trim();
            if (name.equals("VERSION") || name.equals("PATCHLEVEL") || name.equals("SUBLEVEL") || name.equals("EXTRAVERSION")) {
                vars.putIfAbsent(name, line.substring(eq + 1).trim());
            }
        }
        String v = vars.get("VERSION"), p = vars.get("PATCHLEVEL"), s = vars.get("SUBLEVEL");
        if (v == null || p == null || !v.matches("\\d+") || !p.matches("\\d+")) return Optional.empty();
        String out = v + "." + p + (s == null || s.isEmpty() ? "" : "." + s);
        String extra = vars.getOrDefault("EXTRAVERSION", "");
        return Optional.of(out + extra);
    }
}
