package dev.ktstr.vmm.qemu;

/**
 * One guest vCPU and the host thread that runs it (from QMP {@code query-cpus-fast}); pin the
 * thread with sched_setaffinity to place the vCPU.
 */
public record VcpuThread(int cpuIndex, long hostThreadId, int socketId, int coreId, int threadId) {}
