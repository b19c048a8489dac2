package dev.ktstr.scenario.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    @Test
    void argumentAssemblyOrder() {
        Scheduler s = Scheduler.builder("mitosis").discover("scx_mitosis").configFile("/home/me/cells.json").cgroupParent("/cells")
                .schedArgs("-v").flag(FlagDecl.of("a", "--a")).flag(FlagDecl.of("b", "--b", "1")).build();
        assertThat(s.commandLine(List.of("--x"), Set.of("b", "a")))
                .containsExactly("--config", "/include-files/cells.json", "--cell-parent-cgroup", "/cells", "-v", "--x", "--a", "--b", "1");
        assertThatThrownBy(() -> s.commandLine(List.of(), Set.of("c"))).hasMessageContaining("declares no flag 'c'");
        assertThat(s.displayName()).isEqualTo("scx_mitosis");
        assertThat(Scheduler.EEVDF.displayName()).isEqualTo("eevdf");
        assertThat(new SchedulerSpec.KernelBuiltin(List.of("echo 1"), List.of()).displayName()).isEqualTo("kernel");
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> Scheduler.builder("x").cgroupParent("/").build()).hasMessageContaining("cgroupParent must be an absolute path other than '/'");
        assertThatThrownBy(() -> Scheduler.builder("x").karg("console=ttyS1").build()).hasMessageContaining("would override the harness's own 'console='");
        assertThatThrownBy(() -> Scheduler.builder("x").flag(new FlagDecl("steal", List.of(), List.of("llc"))).build())
                .hasMessage("scheduler x: flag 'steal' requires undeclared flag 'llc'");
        assertThatThrownBy(() -> new Sysctl("a b", "1")).hasMessageContaining("dotted name");
        assertThatThrownBy(() -> Scheduler.builder("x").attachTimeout(java.time.Duration.ZERO).build())
                .hasMessageContaining("scheduler x: attachTimeout must be > 0");
        assertThat(FlagDecl.CATALOG).extracting(FlagDecl::name).containsExactly("llc", "borrow", "steal", "rebal", "reject-pin", "no-ctrl");
    }

    @DeclaredFlags(@Flag(name = "x"))
    static class Both implements SchedulerDefinition {
        public Scheduler scheduler() {
            return Scheduler.builder("both").flag(FlagDecl.of("y")).build();
        }
    }

    @Test
    void flagsInOnePlaceOnly() {
        assertThatThrownBy(() -> SchedulerDefinitions.load(Both.class)).hasMessageContaining("declares flags both with @DeclaredFlags and in scheduler()");
        assertThat(SchedulerDefinitions.load(Eevdf.class)).isEqualTo(Scheduler.EEVDF);
    }
}
