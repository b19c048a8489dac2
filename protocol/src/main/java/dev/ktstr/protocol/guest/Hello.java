package dev.ktstr.protocol.guest;

/**
 * First frame from the agent.
 *
 * @param agentVersion     agent build version
 * @param kernelRelease    guest {@code uname -r} (from /proc/sys/kernel/osrelease)
 * @param cpusOnline       CPUs the guest kernel sees online
 * @param jvmStartMs       guest JVM start (epoch ms, guest clock)
 * @param jvmStartupMs     JVM start until agent main ran (RuntimeMXBean uptime at main)
 * @param guestUptimeMs    guest /proc/uptime when the agent said hello (covers kernel boot + init + JVM start)
 * @param javaVersion      runtime version string
 */
public record Hello(String agentVersion, String kernelRelease, int cpusOnline, long jvmStartMs, long jvmStartupMs,
                    long guestUptimeMs, String javaVersion) {}
