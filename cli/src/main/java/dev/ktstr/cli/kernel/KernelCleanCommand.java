package dev.ktstr.cli.kernel;

import dev.ktstr.vmm.kernel.CacheEntry;
import dev.ktstr.vmm.kernel.EntryLock;
import dev.ktstr.vmm.kernel.Environment;
import dev.ktstr.vmm.kernel.KernelCache;
import dev.ktstr.vmm.kernel.KernelException;
import java.io.Console;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "clean", mixinStandardHelpOptions = true,
        description = {"Remove cached kernels (all of them unless --keep or --corrupt-only).",
                "Asks for confirmation on a terminal; elsewhere --force is required."})
public final class KernelCleanCommand implements Callable<Integer> {

    @Option(names = "--keep", paramLabel = "N", description = "keep the N newest valid entries (corrupt ones never count)")
    Integer keep;

    @Option(names = "--corrupt-only", description = "remove only corrupt entries")
    boolean corruptOnly;

    @Option(names = "--force", description = "do not ask for confirmation")
    boolean force;

    @Override
    public Integer call() {
        try {
            KernelCache cache = KernelCache.open(Environment.system());
            cache.sweepLeftovers().forEach(p -> System.err.println("removed leftover " + p));
            List<CacheEntry> doomed = KernelCache.planClean(cache.list(),
                    keep == null ? OptionalInt.empty() : OptionalInt.of(keep), corruptOnly);
            if (doomed.isEmpty()) {
                System.out.println("nothing to remove in " + cache.root());
                return 0;
            }
            if (!force) {
                Console console = System.console();
                if (console == null) {
                    System.err.println("error: refusing to remove " + doomed.size() + " cached kernel(s) without confirmation: "
                            + "no terminal to ask on. Rerun with --force.");
                    return 2;
                }
                doomed.forEach(e -> console.printf("  %s %s%n", e.key(), e.tag()));
                String answer = console.readLine("remove these %d entries from %s? [y/N] ", doomed.size(), cache.root());
                if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
                    System.out.println("nothing removed");
                    return 0;
                }
            }
            int removed = 0;
            for (CacheEntry e : doomed) {
                Optional<EntryLock> lock = cache.tryLock(e.key());
                if (lock.isEmpty()) {
                    System.err.println("skipped " + e.key() + ": in use by another ktstr process");
                    continue;
                }
                try (EntryLock l = lock.get()) {
                    cache.remove(e.key());
                    removed++;
                    System.out.println("removed " + e.key() + (e.tag().isEmpty() ? "" : " " + e.tag()));
                }
            }
            System.out.println("removed " + removed + " of " + doomed.size() + " entries");
            return removed == doomed.size() ? 0 : 1;
        } catch (KernelException e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
