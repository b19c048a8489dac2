package dev.ktstr.vmm.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdSoCacheTest {
    @TempDir
    Path tmp;

    @Test
    void hostCacheAgreesWithLdconfig() throws Exception {
        LdSoCache cache = LdSoCache.load(Path.of("/etc/ld.so.cache"));
        assertThat(cache.lookup("libc.so.6")).isPresent();
        assertThat(Files.isRegularFile(cache.lookup("libc.so.6").get())).isTrue();

        // ldconfig -p lists "soname (libc6,x86-64[, hwcap: ...]) => path", best first.
        Process p = new ProcessBuilder("/sbin/ldconfig", "-p").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, String> expected = new HashMap<>();
        Matcher m = Pattern.compile("^\\s*(\\S+) \\(libc6,x86-64(?:, OS ABI: [^)]*)?\\) => (\\S+)$", Pattern.MULTILINE).matcher(out);
        while (m.find()) expected.putIfAbsent(m.group(1), m.group(2));
        assertThat(expected).isNotEmpty();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(cache.lookup(e.getKey())).as(e.getKey()).contains(Path.of(e.getValue()));
        }
        assertThat(cache.entries()).hasSize(expected.size());
    }

    @Test
    void keepsOnlyX8664Libc6BaselineEntriesFirstWins() throws ElfFormatException {
        byte[] data = cache(List.of(
                new Entry(0x0303, "libfoo.so.1", "/opt/v3/libfoo.so.1", 1L << 62),   // hwcaps variant: skipped
                new Entry(0x0303, "libfoo.so.1", "/usr/lib/libfoo.so.1", 0),
                new Entry(0x0303, "libfoo.so.1", "/other/libfoo.so.1", 0),          // later duplicate: ignored
                new Entry(0x0003, "libbar.so.2", "/usr/lib32/libbar.so.2", 0),      // i386 libc6: skipped
                new Entry(0x0303, "libbaz.so", "/usr/lib/libbaz.so", 0)));
        LdSoCache c = LdSoCache.parse(data, "test");
        assertThat(c.lookup("libfoo.so.1")).contains(Path.of("/usr/lib/libfoo.so.1"));
        assertThat(c.lookup("libbar.so.2")).isEmpty();
        assertThat(c.lookup("libbaz.so")).contains(Path.of("/usr/lib/libbaz.so"));
    }

    @Test
    void rejectsOtherFormatsAndTruncation() throws IOException {
        assertThatThrownBy(() -> LdSoCache.parse("garbage garbage garbage garbage garbage garbage".getBytes(StandardCharsets.US_ASCII), "x"))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining("glibc-ld.so.cache1.1");
        byte[] good = cache(List.of(new Entry(0x0303, "a.so", "/a.so", 0)));
        byte[] cut = java.util.Arrays.copyOf(good, 60);
        assertThatThrownBy(() -> LdSoCache.parse(cut, "x")).isInstanceOf(ElfFormatException.class).hasMessageContaining("entries");
        assertThat(LdSoCache.load(tmp.resolve("absent")).entries()).isEmpty();
    }

    record Entry(int flags, String key, String value, long hwcap) {}

    /** Writes the glibc 2.32+ layout: 48-byte header, 24-byte entries, then the string table. */
    static byte[] cache(List<Entry> entries) {
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        int stringsStart = 48 + 24 * entries.size();
        ByteBuffer b = ByteBuffer.allocate(stringsStart).order(ByteOrder.LITTLE_ENDIAN);
        b.put(LdSoCache.NEW_MAGIC.getBytes(StandardCharsets.US_ASCII));
        b.putInt(entries.size());
        b.position(48);
        for (Entry e : entries) {
            int k = stringsStart + strings.size();
            strings.writeBytes((e.key() + "\0").getBytes(StandardCharsets.UTF_8));
            int v = stringsStart + strings.size();
            strings.writeBytes((e.value() + "\0").getBytes(StandardCharsets.UTF_8));
            b.putInt(e.flags()).putInt(k).putInt(v).putInt(0).putLong(e.hwcap());
        }
        b.putInt(24, strings.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(b.array());
        all.writeBytes(strings.toByteArray());
        return all.toByteArray();
    }
}
