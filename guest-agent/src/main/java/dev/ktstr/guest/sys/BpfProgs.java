package dev.ktstr.guest.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ktstr.protocol.guest.BpfProgram;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists the BPF programs loaded in this kernel with the bpf(2) syscall (BPF_PROG_GET_NEXT_ID,
 * BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD), the way {@code bpftool prog show} does: the guest
 * needs no bpftool and its library closure in the initramfs for a handful of syscalls. Offsets are
 * {@code struct bpf_prog_info} of include/uapi/linux/bpf.h, which is append-only ABI; the kernel fills
 * at most the {@code info_len} we pass and zeroes nothing beyond what it knows, so a kernel older than
 * 5.16 (no {@code verified_insns}) reads as 0 there.
 */
public final class BpfProgs {
    private BpfProgs() {}

    static final long SYS_BPF = 321;
    static final long SYS_CLOSE = 3;
    static final int BPF_PROG_GET_NEXT_ID = 11;
    static final int BPF_PROG_GET_FD_BY_ID = 13;
    static final int BPF_OBJ_GET_INFO_BY_FD = 15;
    static final int ENOENT = 2;

    /** sizeof(struct bpf_prog_info) in 6.x: up to and including the padding after attach_btf_id. */
    static final int INFO_LEN = 232;
    static final int OFF_TYPE = 0, OFF_ID = 4, OFF_JITED_LEN = 16, OFF_XLATED_LEN = 20, OFF_NAME = 64, OFF_VERIFIED_INSNS = 216;
    static final int NAME_LEN = 16;

    /** enum bpf_prog_type, in order (uapi, append-only). */
    static final String[] TYPES = {"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
            "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb",
            "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local", "lirc_mode2",
            "sk_reuseport", "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt", "tracing",
            "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter"};

    /** What one listing found: the programs, and the first error that cut it short (null when none). */
    public record Listing(List<BpfProgram> programs, String error) {}

    /** Every loaded program, at most {@link BpfProgram#MAX_REPORTED}; an error stops the walk and is returned with what was read. */
    public static Listing list() {
        LibC.require();
        List<BpfProgram> out = new ArrayList<>();
        Memory attr = new Memory(24);
        Memory info = new Memory(INFO_LEN);
        int id = 0;
        while (out.size() < BpfProgram.MAX_REPORTED) {
            attr.clear();
            attr.setInt(0, id);
            long r = bpf(BPF_PROG_GET_NEXT_ID, attr, 12);
            if (r < 0) {
                int errno = LibC.errno();
                return new Listing(out, errno == ENOENT ? null : "BPF_PROG_GET_NEXT_ID after id " + id + ": errno " + errno);
            }
            id = attr.getInt(4);
            attr.clear();
            attr.setInt(0, id);
            long fd = bpf(BPF_PROG_GET_FD_BY_ID, attr, 12);
            if (fd < 0) {
                int errno = LibC.errno();
                if (errno == ENOENT) continue; // unloaded between the two calls
                return new Listing(out, "BPF_PROG_GET_FD_BY_ID " + id + ": errno " + errno);
            }
            try {
                info.clear();
                attr.clear();
                attr.setInt(0, (int) fd);
                attr.setInt(4, INFO_LEN);
                attr.setLong(8, Pointer.nativeValue(info));
                if (bpf(BPF_OBJ_GET_INFO_BY_FD, attr, 16) < 0) {
                    return new Listing(out, "BPF_OBJ_GET_INFO_BY_FD for program " + id + ": errno " + LibC.errno());
                }
                out.add(decode(info.getByteArray(0, INFO_LEN)));
            } finally {
                LibC.syscall(SYS_CLOSE, fd, 0, 0, 0, 0);
            }
        }
        return new Listing(out, null);
    }

    /** Decodes a {@code struct bpf_prog_info} (little-endian, as on every architecture the guest runs). */
    static BpfProgram decode(byte[] b) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int type = buf.getInt(OFF_TYPE);
        int n = 0;
        while (n < NAME_LEN && b[OFF_NAME + n] != 0) n++;
        String name = new String(b, OFF_NAME, n, StandardCharsets.UTF_8);
        return new BpfProgram(buf.getInt(OFF_ID), name, typeName(type), Integer.toUnsignedLong(buf.getInt(OFF_VERIFIED_INSNS)),
                Integer.toUnsignedLong(buf.getInt(OFF_XLATED_LEN)), Integer.toUnsignedLong(buf.getInt(OFF_JITED_LEN)));
    }

    static String typeName(int type) {
        return type >= 0 && type < TYPES.length ? TYPES[type] : "type_" + type;
    }

    private static long bpf(int cmd, Memory attr, int size) {
        return LibC.syscall(SYS_BPF, cmd, Pointer.nativeValue(attr), size, 0, 0);
    }
}
