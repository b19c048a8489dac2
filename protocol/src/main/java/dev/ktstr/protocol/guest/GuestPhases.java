package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Where the guest agent's time went, measured by the agent on the guest's monotonic clock and sent
 * once before EXIT ({@code PHASES} frame). A phase that did not happen is null, never 0.
 *
 * @param agentJvmMs        JVM start until the agent's main ran
 * @param mountsMs          guest mounts and agent setup until the job was read
 * @param schedulerAttachMs scheduler start until sched_ext said "enabled" (null: EEVDF)
 * @param workerSpawnMs     summed wall time of every worker spawn (start of the worker hosts until all said READY and were placed)
 * @param workloadMs        scenario start until scenario end (includes spawns, holds and collection)
 * @param collectionMs      summed wall time from stop requests until every report was in
 * @param cleanupMs         test method end until cgroups were removed and the agent was ready to exit
 * @param workerHosts       worker host processes started (JVMs)
 * @param workers           workers started (threads or processes)
 * @param workerModel       how workers ran: "threads" (one host JVM per spawn group), "processes", or "mixed"
 * @param aotCache          the AOT/CDS archive the worker hosts used, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GuestPhases(Long agentJvmMs, Long mountsMs, Long schedulerAttachMs, Long workerSpawnMs, Long workloadMs,
                          Long collectionMs, Long cleanupMs, int workerHosts, int workers, String workerModel, String aotCache) {}
