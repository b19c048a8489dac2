package dev.ktstr.vmm.initramfs;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Run by the tests with the jlinked guest runtime: exercises what the guest agent uses (Jackson
 * records, JNA into libc, HdrHistogram, management beans) so a missing module shows up as a failure.
 */
public final class RuntimeProbe {
    public interface LibC extends Library {
        int getpid();
    }

    public record Point(int x, String name, List<Long> values) {}

    public static void main(String[] args) throws Exception {
        ObjectMapper om = new ObjectMapper();
        String json = om.writeValueAsString(new Point(3, "p", List.of(1L, 2L)));
        Point back = om.readValue(json, Point.class);
        Map<?, ?> tree = om.readValue("{\"a\":[1,{\"b\":null}]}", Map.class);
        int pid = Native.load("c", LibC.class).getpid();
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) h.recordValue(i);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        boolean ok = back.equals(new Point(3, "p", List.of(1L, 2L))) && tree.containsKey("a") && pid > 0
                && h.getValueAtPercentile(99) == 990 && os.getProcessCpuTime() > 0;
        System.out.println("PROBE " + (ok ? "OK" : "BAD") + " json=" + json + " pid=" + pid + " p99=" + h.getValueAtPercentile(99)
                + " java=" + Runtime.version());
    }
}
