package dev.ktstr.protocol.guest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One BPF program loaded in the guest once the scheduler attached, as the kernel reports it
 * ({@code BPF_OBJ_GET_INFO_BY_FD}): the verifier's cost is what scx CI tracks with veristat, and a
 * struct_ops program near the 1M-instruction limit is a scheduler one change away from not loading.
 *
 * @param id            the kernel's program id
 * @param name          the program name (at most 15 characters, the kernel truncates)
 * @param type          the program type, lower case without the prefix ({@code struct_ops}, {@code syscall}, ...)
 * @param verifiedInsns instructions the verifier processed ({@code bpf_prog_info.verified_insns}, kernel 5.16+)
 * @param xlatedBytes   size of the translated program
 * @param jitedBytes    size of the JIT image (0 when the JIT is off)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BpfProgram(int id, String name, String type, long verifiedInsns, long xlatedBytes, long jitedBytes) {

    /** At most this many programs are reported per VM (a guest listing more is clipped, the host ignores the rest). */
    public static final int MAX_REPORTED = 256;

    /** True for the programs that implement the scheduler's {@code sched_ext_ops} callbacks. */
    public boolean isStructOps() {
        return "struct_ops".equals(type);
    }
}
