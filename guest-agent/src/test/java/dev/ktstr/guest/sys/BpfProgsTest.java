package dev.ktstr.guest.sys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.protocol.guest.BpfProgram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BpfProgsTest {

    /** A struct bpf_prog_info as a 6.12 kernel fills it for one of scx_qmap's struct_ops callbacks. */
    static byte[] info(int type, int id, String name, int verified, int xlated, int jited) {
        ByteBuffer b = ByteBuffer.allocate(BpfProgs.INFO_LEN).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(BpfProgs.OFF_TYPE, type).putInt(BpfProgs.OFF_ID, id).putInt(BpfProgs.OFF_JITED_LEN, jited)
                .putInt(BpfProgs.OFF_XLATED_LEN, xlated).putInt(BpfProgs.OFF_VERIFIED_INSNS, verified);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        b.position(BpfProgs.OFF_NAME);
        b.put(n, 0, Math.min(n.length, BpfProgs.NAME_LEN));
        return b.array();
    }

    @Test
    void decodesTheFieldsAtTheirUapiOffsets() {
        BpfProgram p = BpfProgs.decode(info(27, 41, "qmap_enqueue", 12_345, 2_048, 1_337));
        assertThat(p).isEqualTo(new BpfProgram(41, "qmap_enqueue", "struct_ops", 12_345, 2_048, 1_337));
        assertThat(p.isStructOps()).isTrue();
    }

    @Test
    void aFullSixteenByteNameHasNoTerminatorAndStillDecodes() {
        assertThat(BpfProgs.decode(info(31, 7, "qmap_init_tasks!", 10, 8, 0)).name()).isEqualTo("qmap_init_tasks!");
    }

    @Test
    void anUnsignedCountAboveIntMaxStaysPositive() {
        assertThat(BpfProgs.decode(info(27, 1, "x", -2, 0, 0)).verifiedInsns()).isEqualTo(0xFFFF_FFFEL);
    }

    @Test
    void typesAreNamedAsTheUapiEnumOrdersThem() {
        assertThat(BpfProgs.typeName(26)).isEqualTo("tracing");
        assertThat(BpfProgs.typeName(27)).isEqualTo("struct_ops");
        assertThat(BpfProgs.typeName(31)).isEqualTo("syscall");
        assertThat(BpfProgs.typeName(99)).isEqualTo("type_99");
    }
}
