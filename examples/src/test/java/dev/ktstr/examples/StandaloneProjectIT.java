package dev.ktstr.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own project, outside the reactor: the README's "use it in your project" pom (read from
 * README.md between the standalone-pom markers, so the documentation cannot drift from what is tested),
 * one passing and one failing VM test, built with {@code mvn -o test} against the artifacts this build
 * installed. Catches published POMs that only resolve consistently under our parent (issue 14).
 */
class StandaloneProjectIT {
    private static final String BEGIN = "<!-- standalone-pom:begin -->";
    private static final String END = "<!-- standalone-pom:end -->";
    static final String FAILURE_TEXT = "standalone sample: deliberate failure";

    @TempDir Path dir;

    @Test
    void readmeProjectRunsOnePassingAndOneFailingVmTest() throws Exception {
        Path kernel = kernel();
        Path repo = Path.of(required("ktstr.it.localRepo"));
        Files.writeString(dir.resolve("pom.xml"), readmePom(Path.of(required("ktstr.it.readme"))));
        Path src = Files.createDirectories(dir.resolve("src/test/java/demo"));
        Files.writeString(src.resolve("MySchedTest.java"), """
                package demo;

                import dev.ktstr.scenario.Ctx;
                import dev.ktstr.scenario.KtstrTest;
                import dev.ktstr.scenario.verify.AssertResult;

                public class MySchedTest {
                    @KtstrTest(numaNodes = 1, llcs = 1, cores = 1, threads = 1, memoryMb = 256)
                    public AssertResult boots(Ctx ctx) {
                        return AssertResult.pass();
                    }

                    @KtstrTest(numaNodes = 1, llcs = 1, cores = 1, threads = 1, memoryMb = 256)
                    public AssertResult reportsAFailure(Ctx ctx) {
                        return AssertResult.fail("%s");
                    }
                }
                """.formatted(FAILURE_TEXT));

        String mvn = mvn();
        // plugins a bare project uses that this build may not have downloaded yet; the test run itself is offline
        run(List.of(mvn, "-B", "-q", "-Dmaven.repo.local=" + repo, "org.apache.maven.plugins:maven-dependency-plugin:3.11.0:go-offline"), kernel, "warm-up");
        Result r = run(List.of(mvn, "-B", "-o", "-Dmaven.repo.local=" + repo, "-Dmaven.test.failure.ignore=true", "test"),
                kernel, "mvn -o test");
        assertThat(r.exit).as("mvn -o test exit code; output:\n%s", r.output).isZero();

        Path xml = dir.resolve("target/surefire-reports/TEST-demo.MySchedTest.xml");
        assertThat(xml).as("surefire report; mvn output:\n%s", r.output).exists();
        String report = Files.readString(xml);
        assertThat(report).contains("tests=\"2\"").contains("failures=\"1\"").contains("errors=\"0\"");
        assertThat(report).contains("<testcase name=\"boots\"").contains("<testcase name=\"reportsAFailure\"");
        assertThat(report).as("the failing test's report names the failing check")
                .contains("message=\"BUG SUMMARY: FAIL OTHER: " + FAILURE_TEXT + "\"")
                .contains("ktstr/reportsAFailure").contains("[topo=1n1l1c1t] failed:").contains("full log: "); // quotes may be XML-escaped
        assertThat(r.output).contains("PASS").contains("boots").contains("FAIL").contains("reportsAFailure");
        assertThat(r.output).doesNotContain("ExceptionInInitializerError").doesNotContain("NoSuchMethodError");
    }

    static String readmePom(Path readme) throws IOException {
        String text = Files.readString(readme);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) throw new IllegalStateException(readme + " lacks the " + BEGIN + " ... " + END + " block");
        String block = text.substring(b + BEGIN.length(), e);
        int open = block.indexOf("```xml");
        int close = block.lastIndexOf("```");
        if (open < 0 || close <= open) throw new IllegalStateException(readme + ": the standalone-pom block holds no ```xml fence");
        return block.substring(open + "```xml".length(), close).strip() + "\n";
    }

    private static Path kernel() {
        String k = System.getenv("KTSTR_TEST_KERNEL");
        if (k != null && !k.isBlank() && Files.isRegularFile(Path.of(k))) return Path.of(k);
        String why = "KTSTR_TEST_KERNEL must name a guest kernel image (ops/test.sh sets it; locally e.g. "
                + "KTSTR_TEST_KERNEL=/work/shared/kernel/vmlinux), got " + (k == null ? "nothing" : "'" + k + "'");
        if ("true".equals(System.getenv("CI"))) fail(why);
        Assumptions.abort(why);
        return null;
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) throw new IllegalStateException("system property " + property
                + " is unset: run this IT through failsafe in examples/ (examples/pom.xml sets it)");
        return v;
    }

    private static String mvn() {
        String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) return Path.of(home, "bin", "mvn").toString();
        return "mvn";
    }

    private record Result(int exit, String output) {}

    private Result run(List<String> cmd, Path kernel, String what) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("KTSTR_TEST_KERNEL", kernel.toString());
        pb.environment().remove("MAVEN_OPTS");
        Path log = dir.resolve(what.replace(' ', '-') + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(what + " did not finish in 15 min; output so far:\n" + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("---- " + what + " (exit " + p.exitValue() + ") ----\n" + out);
        if (p.exitValue() != 0 && what.equals("warm-up")) fail(what + " failed (exit " + p.exitValue() + "):\n" + out);
        return new Result(p.exitValue(), out);
    }
}
