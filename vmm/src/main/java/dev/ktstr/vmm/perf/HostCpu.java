package dev.ktstr.vmm.perf;

/** One host CPU: its last-level-cache group id and NUMA node. */
public record HostCpu(int cpu, int llc, int node) {}
