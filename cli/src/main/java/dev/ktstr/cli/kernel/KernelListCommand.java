package dev.ktstr.cli.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ktstr.vmm.kernel.CacheEntry;
import dev.ktstr.vmm.kernel.Environment;
import dev.ktstr.vmm.kernel.KernelCache;
import dev.ktstr.vmm.kernel.KernelException;
import dev.ktstr.vmm.kernel.KernelMetadata;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List cached kernels, newest first.")
public final class KernelListCommand implements Callable<Integer> {

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try {
            KernelCache cache = KernelCache.open(Environment.system());
            List<CacheEntry> entries = cache.list();
            if (json) {
                System.out.println(toJson(entries));
                return 0;
            }
            System.out.println("kernel cache: " + cache.root() + " (kconfig fragment kc" + cache.fragment().hash() + ")");
            if (entries.isEmpty()) {
                System.out.println("no cached kernels; build one with `ktstr kernel build`");
                return 0;
            }
            System.out.print(render(entries));
            if (entries.stream().anyMatch(CacheEntry::stale)) {
                System.err.println("(stale kconfig): built with another ktstr.kconfig; discovery skips it, `ktstr kernel build` rebuilds it");
            }
            if (entries.stream().anyMatch(CacheEntry::corrupt)) {
                System.err.println("(corrupt: ...): unusable, ignored by lookups; `ktstr kernel clean --corrupt-only --force` removes it");
            }
            return 0;
        } catch (KernelException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    static String render(List<CacheEntry> entries) {
        int w = Math.max(3, entries.stream().mapToInt(e -> e.key().length()).max().orElse(3));
        StringBuilder sb = new StringBuilder(String.format("%-" + w + "s  %-12s  %-8s  %-20s  %s%n", "KEY", "VERSION", "ARCH", "BUILT", "SOURCE"));
        for (CacheEntry e : entries) {
            KernelMetadata m = e.metadata().orElse(null);
            sb.append(String.format("%-" + w + "s  %-12s  %-8s  %-20s  %s%s%n", e.key(),
                    m == null ? "-" : m.version(), m == null ? "-" : m.arch(), m == null ? "-" : m.builtAt(),
                    m == null ? "-" : m.source().describe(), e.tag().isEmpty() ? "" : "  " + e.tag()));
        }
        return sb.toString();
    }

    static String toJson(List<CacheEntry> entries) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode arr = mapper.createArrayNode();
        for (CacheEntry e : entries) {
            ObjectNode o = arr.addObject();
            o.put("key", e.key());
            o.put("path", e.dir().toString());
            e.metadata().ifPresent(m -> {
                o.put("version", m.version());
                o.put("arch", m.arch());
                o.put("built_at", m.builtAt());
                o.set("source", mapper.valueToTree(m.source()));
                o.set("schedulers", mapper.valueToTree(m.schedulers()));
            });
            o.put("stale", e.stale());
            o.put("corrupt", e.corrupt());
            if (e.corrupt()) {
                o.put("error_kind", e.errorKind().get().id());
                o.put("problem", e.problem());
            }
        }
        return mapper.writeValueAsString(arr);
    }
}
