package dev.ktstr.scenario.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.ktstr.protocol.topology.Topology;
import dev.ktstr.scenario.KtstrTest;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles small sources in-process and checks the processor's diagnostics. */
class KtstrTestProcessorTest {

    @TempDir
    Path out;

    private static final String SCHED = """
            package t;
            import dev.ktstr.scenario.sched.*;
            @DeclaredFlags({@Flag(name = "llc"), @Flag(name = "steal", requires = "llc")})
            public class Sched implements SchedulerDefinition {
                public Scheduler scheduler() { return Scheduler.builder("s").discover("scx_s").build(); }
            }
            """;

    private static String test(String annotation, String method) {
        return """
                package t;
                import dev.ktstr.scenario.*;
                import dev.ktstr.scenario.verify.AssertResult;
                public class T {
                    %s
                    %s
                }
                """.formatted(annotation, method);
    }

    private static String test(String annotation) {
        return test(annotation, "static AssertResult run(Ctx ctx) { return AssertResult.pass(); }");
    }

    private List<String> errors(boolean explicitProcessor, String... sources) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (String src : sources) {
            String cls = src.replaceAll("(?s).*public class (\\w+).*", "$1");
            units.add(new SimpleJavaFileObject(URI.create("string:///t/" + cls + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            });
        }
        String cp = String.join(File.pathSeparator, location(KtstrTest.class), location(Topology.class), location(JsonTypeInfo.class));
        List<String> opts = List.of("-classpath", cp, "-d", out.toString(), "--release", "17", "-proc:only");
        JavaCompiler.CompilationTask task = javac.getTask(null, null, diags, opts, null, units);
        if (explicitProcessor) task.setProcessors(List.of(new KtstrTestProcessor()));
        task.call();
        return diags.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> d.getMessage(Locale.ROOT)).toList();
    }

    private List<String> errors(String... sources) throws Exception {
        return errors(true, sources);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void validTestsCompileCleanly() throws Exception {
        assertThat(errors(SCHED, test("@KtstrTest(scheduler = Sched.class, numaNodes = 2, llcs = 4, requiredFlags = \"steal\", excludedFlags = \"llc\", maxSpreadPct = 10.5, notStarved = Inherit.FALSE)"))).isEmpty();
        assertThat(errors(test("@KtstrTest", "AssertResult run(Ctx ctx) throws Exception { return AssertResult.pass(); }"))).isEmpty();
    }

    @Test
    void zeroTopologyValues() throws Exception {
        assertThat(errors(test("@KtstrTest(cores = 0)"))).containsExactly("@KtstrTest cores = 0 on run: must be > 0 (leave it unset to inherit)");
        assertThat(errors(test("@KtstrTest(numaNodes = 0, threads = -4, durationS = 0)"))).hasSize(3);
        assertThat(errors(test("@KtstrTest(memoryMb = 0)"))).hasSize(1);
    }

    @Test
    void llcsMustBeAMultipleOfNumaNodes() throws Exception {
        assertThat(errors(test("@KtstrTest(numaNodes = 2, llcs = 3)")))
                .containsExactly("@KtstrTest llcs = 3 on run is not a multiple of numaNodes = 2: every NUMA node must own whole LLCs");
        // only when both are explicit
        assertThat(errors(test("@KtstrTest(llcs = 3)"))).isEmpty();
    }

    @Test
    void minAboveMaxConstraint() throws Exception {
        assertThat(errors(test("@KtstrTest(minLlcs = 4, maxLlcs = 2)"))).containsExactly("@KtstrTest minLlcs = 4 > maxLlcs = 2 on run");
        assertThat(errors(test("@KtstrTest(minCpus = 8, maxCpus = 4, minNumaNodes = 2, maxNumaNodes = 1)"))).hasSize(2);
        assertThat(errors(test("@KtstrTest(maxCpus = 0)"))).hasSize(1);
    }

    @Test
    void negativeThresholds() throws Exception {
        assertThat(errors(test("@KtstrTest(maxSpreadPct = -1.0)"))).containsExactly("@KtstrTest maxSpreadPct = -1.0 on run: must be finite and >= 0");
        assertThat(errors(test("@KtstrTest(maxGapMs = -5)"))).containsExactly("@KtstrTest maxGapMs = -5 on run: must be >= 0 (leave it unset to inherit)");
        assertThat(errors(test("@KtstrTest(cleanupBudgetMs = 0)"))).hasSize(1);
    }

    @Test
    void attachWindowAndWatchdogValues() throws Exception {
        assertThat(errors(test("@KtstrTest(attachTimeoutS = 30, workConservationWatchdog = false, watchdogGapMs = 5000)"))).isEmpty();
        assertThat(errors(test("@KtstrTest(attachTimeoutS = 0)"))).containsExactly("@KtstrTest attachTimeoutS = 0 on run: must be > 0 (leave it unset to inherit)");
        assertThat(errors(test("@KtstrTest(attachTimeoutS = 301)")))
                .containsExactly("@KtstrTest attachTimeoutS = 301 on run: at most 300 s (the guest's whole test deadline is 600 s)");
        assertThat(errors(test("@KtstrTest(watchdogGapMs = -1)"))).containsExactly("@KtstrTest watchdogGapMs = -1 on run: must be >= 0 (0 = the harness default)");
    }

    @Test
    void flagRules() throws Exception {
        assertThat(errors(SCHED, test("@KtstrTest(scheduler = Sched.class, requiredFlags = \"llc\", excludedFlags = \"llc\")")))
                .containsExactly("@KtstrTest flag 'llc' on run is both required and excluded");
        assertThat(errors(SCHED, test("@KtstrTest(scheduler = Sched.class, requiredFlags = \"lcl\")")))
                .containsExactly("@KtstrTest run: scheduler Sched declares no flag 'lcl'; declared: [llc, steal]");
        assertThat(errors(test("@KtstrTest(requiredFlags = \"llc\")")))
                .containsExactly("@KtstrTest run uses flags but its scheduler is EEVDF, which declares none; set scheduler = <your SchedulerDefinition>.class");
        String noFlags = """
                package t;
                import dev.ktstr.scenario.sched.*;
                public class Plain implements SchedulerDefinition {
                    public Scheduler scheduler() { return Scheduler.EEVDF; }
                }
                """;
        assertThat(errors(noFlags, test("@KtstrTest(scheduler = Plain.class, excludedFlags = \"llc\")")))
                .containsExactly("@KtstrTest run uses flag 'llc' but scheduler Plain declares no flags (add @DeclaredFlags to it)");
    }

    @Test
    void flagDeclarationsAreChecked() throws Exception {
        String bad = """
                package t;
                import dev.ktstr.scenario.sched.*;
                @DeclaredFlags({@Flag(name = "a", requires = "zzz"), @Flag(name = "a")})
                public class Bad implements SchedulerDefinition {
                    public Scheduler scheduler() { return Scheduler.EEVDF; }
                }
                """;
        assertThat(errors(bad)).containsExactlyInAnyOrder("flag 'a' declared twice", "flag 'a' requires undeclared flag 'zzz'");
    }

    @Test
    void schedulerNeedsNoArgConstructor() throws Exception {
        String s = """
                package t;
                import dev.ktstr.scenario.sched.*;
                public class NeedsArg implements SchedulerDefinition {
                    public NeedsArg(int x) { }
                    public Scheduler scheduler() { return Scheduler.EEVDF; }
                }
                """;
        assertThat(errors(s, test("@KtstrTest(scheduler = NeedsArg.class)"))).containsExactly("scheduler NeedsArg needs a no-argument constructor");
    }

    @Test
    void wrongSignatures() throws Exception {
        String sig = "@KtstrTest method run must have the signature AssertResult run(Ctx ctx)";
        assertThat(errors(test("@KtstrTest", "static void run(Ctx ctx) { }"))).containsExactly(sig);
        assertThat(errors(test("@KtstrTest", "static AssertResult run(Ctx ctx, int x) { return null; }"))).containsExactly(sig);
        assertThat(errors(test("@KtstrTest", "static AssertResult run(String s) { return null; }"))).containsExactly(sig);
        assertThat(errors(test("@KtstrTest", "static Object run(Ctx ctx) { return null; }"))).containsExactly(sig);
        assertThat(errors(test("@KtstrTest", "private static AssertResult run(Ctx ctx) { return null; }")))
                .containsExactly("@KtstrTest method run must not be private");
        assertThat(errors(test("T(int x) { }", "@KtstrTest AssertResult run(Ctx ctx) { return null; }")))
                .containsExactly("@KtstrTest method run is an instance method, so T needs a no-argument constructor (or make the method static)");
    }

    @Test
    void processorIsRegisteredAsAService() throws Exception {
        // no explicit processor: javac finds it through META-INF/services on the classpath
        assertThat(errors(false, test("@KtstrTest(cores = 0)"))).containsExactly("@KtstrTest cores = 0 on run: must be > 0 (leave it unset to inherit)");
        assertThat(Files.readString(Path.of(location(KtstrTest.class), "META-INF/services/javax.annotation.processing.Processor")).trim())
                .isEqualTo(KtstrTestProcessor.class.getName());
    }
}
