package dev.ktstr.vmm.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parser tests over a hand-assembled blob, so they run without a kernel. */
class BtfTest {
    /** Minimal BTF writer: types are appended in id order starting at 1. */
    static final class Blob {
        final ByteArrayOutputStream strs = new ByteArrayOutputStream();
        final List<int[]> words = new ArrayList<>();

        Blob() {
            strs.write(0);
        }

        int str(String s) {
            int off = strs.size();
            strs.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strs.write(0);
            return off;
        }

        int add(int... w) {
            words.add(w);
            return words.size();
        }

        static int info(int kind, int vlen, boolean kindFlag) {
            return (kindFlag ? 1 << 31 : 0) | kind << 24 | vlen;
        }

        byte[] bytes() {
            int tlen = words.stream().mapToInt(w -> w.length * 4).sum();
            byte[] s = strs.toByteArray();
            ByteBuffer b = ByteBuffer.allocate(24 + tlen + s.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(tlen).putInt(tlen).putInt(s.length);
            for (int[] w : words) for (int x : w) b.putInt(x);
            b.put(s);
            return b.array();
        }
    }

    static byte[] sample() {
        Blob b = new Blob();
        int u32 = b.add(b.str("unsigned int"), Blob.info(1, 0, false), 4, 32);            // 1
        int u64 = b.add(b.str("u64"), Blob.info(1, 0, false), 8, 64);                      // 2
        int td = b.add(b.str("u32"), Blob.info(8, 0, false), u32);                          // 3 typedef
        int dsq = b.add(b.str("dq"), Blob.info(4, 2, false), 16,                            // 4 struct dq
                b.str("lock"), u64, 0, b.str("nr"), td, 64);
        int anon = b.add(0, Blob.info(5, 1, false), 8, b.str("hidden"), u64, 0);           // 5 anon union
        int arr = b.add(0, Blob.info(3, 0, false), 0, u32, u32, 4);                          // 6 u32[4]
        b.add(b.str("outer"), Blob.info(4, 5, true), 64,                                    // 7 struct outer (kind_flag)
                b.str("a"), u32, 0,
                b.str("bits"), u32, (3 << 24) | 35,
                b.str("q"), dsq, 64,
                0, anon, 192,
                b.str("arr"), arr, 256);
        return b.bytes();
    }

    @Test
    void resolvesNestedTypedefAnonymousAndBitfieldMembers() throws Exception {
        Btf btf = Btf.parse(sample());
        assertThat(btf.typeCount()).isEqualTo(7);
        assertThat(btf.resolve("outer", "q.nr")).isEqualTo(new ResolvedField("q.nr", 16, 4, "unsigned int", false));
        assertThat(btf.resolve("outer", "hidden").offset()).isEqualTo(24);
        assertThat(btf.resolve("outer", "arr").size()).isEqualTo(16);
        assertThat(btf.resolve("outer", "bits").bitfield()).isTrue();
        assertThat(btf.resolve("outer", "a").bitfield()).isFalse();
    }

    @Test
    void missingMembersAndStructsAreNamed() throws Exception {
        Btf btf = Btf.parse(sample());
        assertThatThrownBy(() -> btf.resolve("outer", "q.depth")).isInstanceOf(BtfException.class).hasMessageContaining("q.depth");
        assertThatThrownBy(() -> btf.resolve("nosuch", "x")).hasMessageContaining("no struct nosuch");
        assertThatThrownBy(() -> btf.resolve("outer", "a.b")).hasMessageContaining("not a struct");
    }

    @Test
    void rejectsGarbageAndTruncation() {
        assertThatThrownBy(() -> Btf.parse(new byte[] {1, 2, 3})).hasMessageContaining("shorter");
        assertThatThrownBy(() -> Btf.parse(new byte[32])).hasMessageContaining("magic");
        byte[] s = sample();
        assertThatThrownBy(() -> Btf.parse(java.util.Arrays.copyOf(s, s.length - 10))).hasMessageContaining("past the end");
    }
}
