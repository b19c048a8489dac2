package dev.ktstr.scenario.discovery;

import dev.ktstr.protocol.guest.WorkConservationWatchdog;
import dev.ktstr.protocol.topology.InvalidTopologyException;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.Ctx;
import dev.ktstr.scenario.Inherit;
import dev.ktstr.scenario.KtstrTest;
import dev.ktstr.scenario.TestConfig;
import dev.ktstr.scenario.sched.FlagDecl;
import dev.ktstr.scenario.sched.Scheduler;
import dev.ktstr.scenario.sched.SchedulerDefinitions;
import dev.ktstr.scenario.sched.TopologyConstraints;
import dev.ktstr.scenario.verify.Assert;
import dev.ktstr.scenario.verify.AssertResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds {@code @KtstrTest} methods and resolves their configuration (spec §1.1/§1.2), and invokes
 * them. Invalid tests fail discovery with an {@link InvalidTestException} naming the test.
 */
public final class KtstrTests {

    private KtstrTests() {
    }

    /** A test that could not be resolved, with the reason (for runners that report instead of abort). */
    public record Invalid(String className, String methodName, String message) {
        public String id() {
            return className + "#" + methodName;
        }
    }

    /** Everything {@link #scan} found: runnable entries and invalid tests. */
    public record Scan(List<KtstrTestEntry> entries, List<Invalid> invalid) {
        public Scan {
            entries = List.copyOf(entries);
            invalid = List.copyOf(invalid);
        }
    }

    /**
     * Entries of the given classes, ordered by class then method name.
     *
     * @throws InvalidTestException for the first test that cannot be resolved
     */
    public static List<KtstrTestEntry> discover(Iterable<Class<?>> classes) {
        Scan s = scan(classes);
        if (!s.invalid().isEmpty()) throw new InvalidTestException(s.invalid().get(0).id(), s.invalid().get(0).message());
        return s.entries();
    }

    /** Like {@link #discover(Iterable)} but collects invalid tests instead of throwing. */
    public static Scan scan(Iterable<Class<?>> classes) {
        List<KtstrTestEntry> out = new ArrayList<>();
        List<Invalid> bad = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Class<?> c : classes) {
            for (Method m : c.getDeclaredMethods()) {
                KtstrTest ann = m.getAnnotation(KtstrTest.class);
                if (ann == null) continue;
                if (!seen.add(c.getName() + "#" + m.getName())) {
                    bad.add(new Invalid(c.getName(), m.getName(), "overloaded @KtstrTest methods share a name; rename one"));
                    continue;
                }
                try {
                    out.add(new KtstrTestEntry(c.getName(), m.getName(), resolve(m, ann)));
                } catch (InvalidTestException e) {
                    bad.add(new Invalid(c.getName(), m.getName(), e.problem()));
                } catch (RuntimeException | LinkageError e) {
                    bad.add(new Invalid(c.getName(), m.getName(), "cannot resolve: " + e));
                }
            }
        }
        out.removeIf(e -> bad.stream().anyMatch(b -> b.id().equals(e.id())));
        out.sort(Comparator.comparing(KtstrTestEntry::className).thenComparing(KtstrTestEntry::methodName));
        bad.sort(Comparator.comparing(Invalid::className).thenComparing(Invalid::methodName));
        return new Scan(out, bad);
    }

    /**
     * Scans class directories and jars ({@code roots}) for classes with {@code @KtstrTest} methods,
     * loading only classes whose bytecode mentions the annotation, with {@code loader}.
     *
     * @throws InvalidTestException for the first test (or test class) that cannot be resolved or loaded
     */
    public static List<KtstrTestEntry> discover(ClassLoader loader, List<Path> roots) throws IOException {
        Scan s = scan(loader, roots);
        if (!s.invalid().isEmpty()) throw new InvalidTestException(s.invalid().get(0).id(), s.invalid().get(0).message());
        return s.entries();
    }

    /** Like {@link #discover(ClassLoader, List)} but collects invalid tests and unloadable test classes. */
    public static Scan scan(ClassLoader loader, List<Path> roots) throws IOException {
        List<Class<?>> classes = new ArrayList<>();
        List<Invalid> unloadable = new ArrayList<>();
        for (Path root : roots) {
            for (String name : candidateClassNames(root)) {
                try {
                    classes.add(Class.forName(name, false, loader));
                } catch (ClassNotFoundException | LinkageError e) {
                    unloadable.add(new Invalid(name, "*", "test class cannot be loaded: " + e
                            + " (is a dependency missing from the test classpath?)"));
                }
            }
        }
        Scan s = scan(classes);
        List<Invalid> invalid = new ArrayList<>(unloadable);
        invalid.addAll(s.invalid());
        return new Scan(s.entries(), invalid);
    }

    private static final byte[] ANNOTATION_DESCRIPTOR = "Ldev/ktstr/scenario/KtstrTest;".getBytes(StandardCharsets.UTF_8);

    /** Binary names of the classes under {@code root} whose bytecode references {@code @KtstrTest}. */
    static List<String> candidateClassNames(Path root) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".class"))::iterator) {
                    if (mentionsAnnotation(Files.readAllBytes(p))) names.add(toClassName(root.relativize(p).toString()));
                }
            }
        } else if (Files.isRegularFile(root)) {
            try (JarFile jar = new JarFile(root.toFile())) {
                Enumeration<JarEntry> en = jar.entries();
                while (en.hasMoreElements()) {
                    JarEntry e = en.nextElement();
                    String n = e.getName();
                    if (!n.endsWith(".class") || n.startsWith("META-INF/")) continue;
                    try (InputStream in = jar.getInputStream(e)) {
                        if (mentionsAnnotation(in.readAllBytes())) names.add(toClassName(n));
                    }
                }
            }
        } else {
            throw new IOException("test class root " + root + " does not exist; pass a class directory or a jar");
        }
        names.removeIf(n -> n.endsWith("module-info") || n.endsWith("package-info"));
        return names;
    }

    private static boolean mentionsAnnotation(byte[] classFile) {
        outer:
        for (int i = 0; i + ANNOTATION_DESCRIPTOR.length <= classFile.length; i++) {
            for (int j = 0; j < ANNOTATION_DESCRIPTOR.length; j++) {
                if (classFile[i + j] != ANNOTATION_DESCRIPTOR[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    private static String toClassName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('\\', '/').replace('/', '.');
    }

    /** Finds one entry by {@link KtstrTestEntry#id()} ({@code class#method}). */
    public static KtstrTestEntry find(String id, ClassLoader loader) {
        int hash = id.indexOf('#');
        if (hash <= 0) throw new IllegalArgumentException("test id '" + id + "' must be <class>#<method>");
        Class<?> c;
        try {
            c = Class.forName(id.substring(0, hash), false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("test class " + id.substring(0, hash) + " not found on the classpath", e);
        }
        Scan s = scan(List.of(c));
        for (KtstrTestEntry e : s.entries()) if (e.id().equals(id)) return e;
        for (Invalid bad : s.invalid()) if (bad.id().equals(id)) throw new InvalidTestException(id, bad.message());
        throw new IllegalArgumentException("no @KtstrTest method " + id);
    }

    /**
     * Runs the test body: instantiates the class with its no-arg constructor when the method is not
     * static, invokes it with {@code ctx}. Exceptions thrown by the body propagate unwrapped.
     */
    public static AssertResult invoke(KtstrTestEntry entry, Ctx ctx, ClassLoader loader) throws Exception {
        Class<?> c = Class.forName(entry.className(), true, loader);
        Method m = c.getDeclaredMethod(entry.methodName(), Ctx.class);
        m.setAccessible(true);
        Object target = null;
        if (!Modifier.isStatic(m.getModifiers())) {
            Constructor<?> k = c.getDeclaredConstructor();
            k.setAccessible(true);
            target = k.newInstance();
        }
        try {
            AssertResult r = (AssertResult) m.invoke(target, ctx);
            if (r == null) throw new IllegalStateException(entry.id() + " returned null; return an AssertResult");
            return r;
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof Exception ex) throw ex;
            if (t instanceof Error err) throw err;
            throw e;
        }
    }

    /** Resolves one annotated method's configuration: defaults → scheduler → test. */
    public static TestConfig resolve(Method m, KtstrTest a) {
        String id = m.getDeclaringClass().getName() + "#" + m.getName();
        if (m.getReturnType() != AssertResult.class || m.getParameterCount() != 1 || m.getParameterTypes()[0] != Ctx.class) {
            throw new InvalidTestException(id, "@KtstrTest methods must have the signature AssertResult " + m.getName() + "(Ctx ctx)");
        }
        Scheduler s;
        try {
            s = SchedulerDefinitions.load(a.scheduler());
        } catch (IllegalArgumentException e) {
            throw new InvalidTestException(id, e.getMessage());
        }
        Topology st = s.topology();
        Topology topo;
        try {
            topo = new Topology(dim(id, "numaNodes", a.numaNodes(), st.numaNodes()), dim(id, "llcs", a.llcs(), st.llcs()),
                    dim(id, "cores", a.cores(), st.coresPerLlc()), dim(id, "threads", a.threads(), st.threadsPerCore()));
        } catch (InvalidTopologyException e) {
            throw new InvalidTestException(id, e.getMessage() + " (after inheriting unset dimensions from scheduler " + s.name() + " topology " + st.render() + ")");
        }
        Assert test = Assert.NO_OVERRIDES
                .withNotStarved(a.notStarved().value()).withIsolation(a.isolation().value())
                .withMaxGapMs(optLong(id, "maxGapMs", a.maxGapMs())).withMaxSpreadPct(optDouble(id, "maxSpreadPct", a.maxSpreadPct()))
                .withMaxThroughputCv(optDouble(id, "maxThroughputCv", a.maxThroughputCv()))
                .withMinWorkRate(optDouble(id, "minWorkRate", a.minWorkRate()))
                .withMaxP99WakeLatencyNs(optLong(id, "maxP99WakeLatencyNs", a.maxP99WakeLatencyNs()))
                .withMaxWakeLatencyCv(optDouble(id, "maxWakeLatencyCv", a.maxWakeLatencyCv()))
                .withMinIterationRate(optDouble(id, "minIterationRate", a.minIterationRate()))
                .withMaxMigrationRatio(optDouble(id, "maxMigrationRatio", a.maxMigrationRatio()))
                .withMaxImbalanceRatio(optDouble(id, "maxImbalanceRatio", a.maxImbalanceRatio()))
                .withMaxLocalDsqDepth(optInt(id, "maxLocalDsqDepth", a.maxLocalDsqDepth()))
                .withFailOnStall(a.failOnStall().value())
                .withSustainedSamples(optInt(id, "sustainedSamples", a.sustainedSamples()))
                .withMaxFallbackRate(optDouble(id, "maxFallbackRate", a.maxFallbackRate()))
                .withMaxKeepLastRate(optDouble(id, "maxKeepLastRate", a.maxKeepLastRate()))
                .withMinPageLocality(optDouble(id, "minPageLocality", a.minPageLocality()))
                .withMaxCrossNodeMigrationRatio(optDouble(id, "maxCrossNodeMigrationRatio", a.maxCrossNodeMigrationRatio()))
                .withMaxSlowTierRatio(optDouble(id, "maxSlowTierRatio", a.maxSlowTierRatio()));
        checkFlags(id, s, List.of(a.requiredFlags()), List.of(a.excludedFlags()));
        TopologyConstraints sc = s.constraints();
        TopologyConstraints constraints;
        try {
            constraints = new TopologyConstraints(dim(id, "minNumaNodes", a.minNumaNodes(), sc.minNumaNodes()),
                    dim(id, "maxNumaNodes", a.maxNumaNodes(), sc.maxNumaNodes()), dim(id, "minLlcs", a.minLlcs(), sc.minLlcs()),
                    dim(id, "maxLlcs", a.maxLlcs(), sc.maxLlcs()), dim(id, "minCpus", a.minCpus(), sc.minCpus()),
                    dim(id, "maxCpus", a.maxCpus(), sc.maxCpus()),
                    a.requiresSmt() == Inherit.UNSET ? sc.requiresSmt() : a.requiresSmt() == Inherit.TRUE);
        } catch (IllegalArgumentException e) {
            throw new InvalidTestException(id, e.getMessage());
        }
        try {
            return new TestConfig(topo, dim(id, "memoryMb", a.memoryMb(), TestConfig.DEFAULT_MEMORY_MB), s, List.of(a.extraSchedArgs()),
                    dim(id, "watchdogTimeoutS", a.watchdogTimeoutS(), TestConfig.DEFAULT_WATCHDOG_TIMEOUT_S), test,
                    Assert.defaultChecks().merge(s.assertion()).merge(test), List.of(a.requiredFlags()), List.of(a.excludedFlags()),
                    constraints, dim(id, "durationS", a.durationS(), TestConfig.DEFAULT_DURATION_S),
                    dim(id, "workersPerCgroup", a.workersPerCgroup(), TestConfig.DEFAULT_WORKERS_PER_CGROUP),
                    a.expectErr(), a.hostOnly(), a.autoRepro(), a.performanceMode(),
                    a.cleanupBudgetMs() == -1 ? null : optLong(id, "cleanupBudgetMs", a.cleanupBudgetMs()),
                    attachTimeoutMs(id, a.attachTimeoutS(), s), watchdog(id, a),
                    dev.ktstr.protocol.job.SchedErrorMatch.of(a.expectSchedErrorContains(), a.expectSchedErrorMatches()), a.allowInconclusive(),
                    replicas(id, a.replicas()));
        } catch (IllegalArgumentException e) {
            throw new InvalidTestException(id, e.getMessage());
        }
    }

    static int replicas(String id, int n) {
        if (n < 1 || n > MAX_REPLICAS) {
            throw new InvalidTestException(id, "replicas = " + n + " is out of range: give 1 (run once) to " + MAX_REPLICAS);
        }
        return n;
    }

    /** More runs than this of one variant is a typo, not a noise estimate. */
    public static final int MAX_REPLICAS = 100;

    /** Spec §1.1 flag rules: declared by the scheduler, scheduler has flags at all, not both required and excluded. */
    public static void checkFlags(String id, Scheduler s, List<String> required, List<String> excluded) {
        List<String> declared = s.flags().stream().map(FlagDecl::name).toList();
        for (String f : required) {
            if (excluded.contains(f)) throw new InvalidTestException(id, "flag '" + f + "' is both required and excluded");
        }
        List<String> all = new ArrayList<>(required);
        all.addAll(excluded);
        for (String f : all) {
            if (declared.isEmpty()) {
                throw new InvalidTestException(id, "flag '" + f + "' used but scheduler " + s.name() + " declares no flags (add @DeclaredFlags to its definition)");
            }
            if (!declared.contains(f)) {
                throw new InvalidTestException(id, "scheduler " + s.name() + " declares no flag '" + f + "'; declared: " + declared);
            }
        }
    }

    /** Same bound as the annotation processor's. */
    static final int MAX_ATTACH_TIMEOUT_S = 300;

    /** The test's attach window, else the scheduler definition's, else null (the harness's scaled default). */
    private static Long attachTimeoutMs(String id, int testS, Scheduler s) {
        if (testS != -1) {
            int v = dim(id, "attachTimeoutS", testS, 0);
            if (v > MAX_ATTACH_TIMEOUT_S) {
                throw new InvalidTestException(id, "attachTimeoutS must be at most " + MAX_ATTACH_TIMEOUT_S + " s (the guest's whole test deadline is 600 s), got " + v);
            }
            return v * 1000L;
        }
        return s.attachTimeoutMs();
    }

    private static WorkConservationWatchdog watchdog(String id, KtstrTest a) {
        if (a.watchdogGapMs() < 0) {
            throw new InvalidTestException(id, "watchdogGapMs must be >= 0 (0 = the harness default), got " + a.watchdogGapMs());
        }
        return new WorkConservationWatchdog(a.workConservationWatchdog(), a.watchdogGapMs());
    }

    /** -1 = inherit; anything else must be > 0. */
    private static int dim(String id, String attr, int value, int inherited) {
        if (value == -1) return inherited;
        if (value <= 0) throw new InvalidTestException(id, attr + " must be > 0 (or -1 to inherit), got " + value);
        return value;
    }

    private static Long optLong(String id, String attr, long v) {
        if (v == -1) return null;
        if (v < 0) throw new InvalidTestException(id, attr + " must be >= 0 (or -1 to inherit), got " + v);
        if (attr.equals("cleanupBudgetMs") && v == 0) throw new InvalidTestException(id, "cleanupBudgetMs must be > 0");
        return v;
    }

    private static Integer optInt(String id, String attr, int v) {
        if (v == -1) return null;
        if (v < 0) throw new InvalidTestException(id, attr + " must be >= 0 (or -1 to inherit), got " + v);
        return v;
    }

    private static Double optDouble(String id, String attr, double v) {
        if (Double.isNaN(v)) return null;
        if (Double.isInfinite(v) || v < 0) throw new InvalidTestException(id, attr + " must be finite and >= 0 (or unset), got " + v);
        return v;
    }

    /** A test definition the harness cannot run; the message names the test and the fix. */
    public static final class InvalidTestException extends IllegalArgumentException {
        private final String problem;

        public InvalidTestException(String testId, String problem) {
            super("invalid @KtstrTest " + testId + ": " + problem);
            this.problem = problem;
        }

        /** The reason without the test id prefix. */
        public String problem() {
            return problem;
        }
    }
}
