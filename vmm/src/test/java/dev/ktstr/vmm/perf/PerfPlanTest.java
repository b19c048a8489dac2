package dev.ktstr.vmm.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ktstr.protocol.topology.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerfPlanTest {
    static final HostMemory NO_HUGE = HostMemory.of(0, Optional.empty());
    static final HostMemory HUGE = HostMemory.of(4096, Optional.of(Path.of("/dev/hugepages")));

    /** {@code llcs} LLCs of {@code per} CPUs, {@code llcsPerNode} LLCs per NUMA node. */
    static HostTopology host(int llcs, int per, int llcsPerNode) {
        List<HostCpu> cpus = new ArrayList<>();
        for (int l = 0; l < llcs; l++) for (int i = 0; i < per; i++) cpus.add(new HostCpu(l * per + i, l * per, l / llcsPerNode));
        return new HostTopology(cpus);
    }

    @Test
    void eachVirtualLlcGetsAWholeHostLlcAndServiceCpuIsOutside() throws Exception {
        PerfPlan p = PerfPlan.compute(host(3, 4, 1), Topology.parse("2,2,2,1"), 1024, HUGE, Set.of(), Set.of());
        assertThat(p.llcs()).containsExactly(new LlcAssignment(0, 0, List.of(0, 1)), new LlcAssignment(1, 4, List.of(4, 5)));
        assertThat(p.vcpuHostCpu()).containsExactly(0, 1, 4, 5);
        assertThat(p.serviceCpu()).isEqualTo(8); // first CPU of the unreserved LLC
        assertThat(p.guestNodeHostNodes()).containsExactly(Set.of(0), Set.of(1));
        assertThat(p.hugepages()).isEqualTo(new HugepageDecision.Use(Path.of("/dev/hugepages"), 512));
        assertThat(p.memoryMb()).isEqualTo(1024);
        assertThat(p.warnings()).isEmpty();
        assertThat(p.hostCpus()).containsExactly(0, 1, 4, 5, 8);
    }

    @Test
    void serviceCpuFallsBackToASpareCpuInsideTheLlc() throws Exception {
        PerfPlan p = PerfPlan.compute(host(1, 2, 1), Topology.parse("1,1,1,1"), 256, NO_HUGE, Set.of(), Set.of());
        assertThat(p.vcpuHostCpu()).containsExactly(0);
        assertThat(p.serviceCpu()).isEqualTo(1);
        assertThat(p.usesHugepages()).isFalse();
        assertThat(p.memoryMb()).isEqualTo(256);
        assertThat(p.warnings()).singleElement().asString().contains("normal pages").contains("128 needed")
                .contains("echo 128 > /proc/sys/vm/nr_hugepages");
    }

    @Test
    void busyLlcsAreSkipped() throws Exception {
        PerfPlan p = PerfPlan.compute(host(3, 4, 3), Topology.parse("1,1,4,1"), 256, NO_HUGE, Set.of(0), Set.of());
        assertThat(p.llcs().get(0).hostLlc()).isEqualTo(4);
        assertThat(p.serviceCpu()).isEqualTo(8);
    }

    @Test
    void hostsThatCannotHoldTheVmAreContention() {
        assertThatThrownBy(() -> PerfPlan.compute(host(1, 2, 1), Topology.parse("1,1,2,1"), 256, NO_HUGE, Set.of(), Set.of()))
                .isInstanceOf(ResourceContentionException.class).hasMessageContaining("needs 3 host CPUs");
        assertThatThrownBy(() -> PerfPlan.compute(host(1, 8, 1), Topology.parse("1,2,2,1"), 256, NO_HUGE, Set.of(), Set.of()))
                .hasMessageContaining("host has 1");
        assertThatThrownBy(() -> PerfPlan.compute(host(4, 2, 1), Topology.parse("1,1,4,1"), 256, NO_HUGE, Set.of(), Set.of()))
                .hasMessageContaining("smaller than the VM's 4 CPUs per LLC");
        assertThatThrownBy(() -> PerfPlan.compute(host(1, 2, 1), Topology.parse("1,1,1,1"), 256, NO_HUGE, Set.of(0), Set.of()))
                .hasMessageContaining("0 free now");
    }

    @Test
    void hugepagePlanRoundsGuestRamToWholePagesPerNode() throws Exception {
        PerfPlan p = PerfPlan.compute(host(2, 2, 1), Topology.parse("2,2,1,1"), 301, HUGE, Set.of(), Set.of());
        assertThat(p.memoryMb()).isEqualTo(304); // 2 nodes x 152 MB = 76 pages each
        assertThat(p.hugepages()).isEqualTo(new HugepageDecision.Use(Path.of("/dev/hugepages"), 152));
        PerfPlan normal = PerfPlan.compute(host(2, 2, 1), Topology.parse("2,2,1,1"), 301, NO_HUGE, Set.of(), Set.of());
        assertThat(normal.memoryMb()).isEqualTo(301);
    }

    @Test
    void secondReservationOfTheOnlyLlcIsContentionUntilTheFirstIsReleased(@TempDir Path locks) throws Exception {
        HostTopology h = host(1, 2, 1);
        Topology one = Topology.parse("1,1,1,1");
        try (HostReservation a = HostReservation.acquire(h, one, 256, NO_HUGE, locks, Duration.ZERO)) {
            assertThat(a.plan().vcpuHostCpu()).containsExactly(0);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> HostReservation.acquire(h, one, 256, NO_HUGE, locks, Duration.ofMillis(500)))
                    .isInstanceOf(ResourceContentionException.class).hasMessageContaining("reserved by other ktstr VMs");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(500).toNanos());
        }
        try (HostReservation b = HostReservation.acquire(h, one, 256, NO_HUGE, locks, Duration.ZERO)) {
            assertThat(b.plan().hostLlcs()).containsExactly(0);
        }
    }

    @Test
    void twoVmsOnTwoLlcsGetDisjointCpus(@TempDir Path locks) throws Exception {
        HostTopology h = host(3, 2, 1);
        Topology one = Topology.parse("1,1,2,1");
        try (HostReservation a = HostReservation.acquire(h, one, 256, NO_HUGE, locks, Duration.ZERO);
             HostReservation b = HostReservation.acquire(h, one, 256, NO_HUGE, locks, Duration.ZERO)) {
            assertThat(a.plan().hostCpus()).doesNotContainAnyElementsOf(b.plan().hostCpus());
            assertThat(a.plan().hostLlcs()).doesNotContainAnyElementsOf(b.plan().hostLlcs());
        }
    }

    @Test
    void cpuListsRoundTrip() {
        assertThat(HostTopology.parseList("0-3,8,10-11\n")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(HostTopology.renderList(Set.of(0, 1, 2, 3, 8, 10, 11))).isEqualTo("0-3,8,10-11");
    }

    @Test
    void noPerfModeSkipsTestsThatNeedIt() {
        assertThat(PerfMode.decide(true, false, Map.of())).isInstanceOf(PerfMode.Decision.On.class);
        assertThat(PerfMode.decide(false, true, Map.of())).isInstanceOf(PerfMode.Decision.Off.class);
        assertThat(PerfMode.decide(true, false, Map.of("KTSTR_NO_PERF_MODE", "")))
                .isEqualTo(new PerfMode.Decision.Skip("test requires performance mode, which KTSTR_NO_PERF_MODE turned off"));
        assertThat(PerfMode.decide(true, true, Map.of())).isInstanceOf(PerfMode.Decision.Skip.class);
    }
}
