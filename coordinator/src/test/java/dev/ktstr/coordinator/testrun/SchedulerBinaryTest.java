package dev.ktstr.coordinator.testrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerBinaryTest {
    @TempDir
    Path tmp;
    Path project;
    Path testRoot;
    SchedulerBinary.Base base;

    @BeforeEach
    void project() throws Exception {
        project = Files.createDirectories(tmp.resolve("proj"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        testRoot = Files.createDirectories(project.resolve("target/test-classes"));
        base = SchedulerBinary.base(List.of(testRoot), tmp.resolve("elsewhere"));
    }

    private String problem(String userPath) {
        return SchedulerBinary.problem(userPath, SchedulerBinary.resolve(userPath, base), base);
    }

    @Test
    void relativePathsResolveAgainstTheProjectDirectoryNotTheWorkingDirectory() {
        assertThat(base.dir()).isEqualTo(project);
        assertThat(SchedulerBinary.resolve("build/scx_pair", base)).isEqualTo(project.resolve("build/scx_pair"));
        assertThat(problem("build/scx_pair")).isEqualTo("scheduler binary 'build/scx_pair' (relative, resolved against the project directory"
                + " (holds pom.xml, above the test root " + testRoot + ") " + project + " to " + project.resolve("build/scx_pair") + ") does not exist");
        SchedulerBinary.Base none = SchedulerBinary.base(List.of(tmp.resolve("loose")), tmp);
        assertThat(none.dir()).isEqualTo(tmp);
        assertThat(none.why()).startsWith("the working directory");
    }

    @Test
    void anExecutableIsAccepted() throws Exception {
        Path bin = Files.createDirectories(project.resolve("build")).resolve("scx_x");
        Files.copy(Path.of("/bin/true"), bin, StandardCopyOption.REPLACE_EXISTING);
        assertThat(problem("build/scx_x")).isNull();
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(problem(bin.toString())).isEqualTo("scheduler binary " + bin + " is not executable; chmod +x " + bin);
    }

    @Test
    void aBpfObjectIsRefusedWithTheUsersPath() throws Exception {
        Path obj = project.resolve("scx_pair.bpf.o");
        ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        h.putShort(16, (short) 1).putShort(18, (short) 247); // ET_REL, EM_BPF: what clang -target bpf writes
        Files.write(obj, h.array());
        assertThat(problem("scx_pair.bpf.o")).startsWith("scheduler binary 'scx_pair.bpf.o' (relative, resolved against the project directory")
                .contains(obj.toString())
                .endsWith("is a BPF object (such as a .bpf.o), not an executable: give the user-space scheduler binary that loads it"
                        + " (e.g. the scx_* executable built with it)");
    }

    @Test
    void scriptsAndDirectoriesAreRefused() throws Exception {
        Path script = project.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\nexec ./scx_x\n");
        assertThat(problem(script.toString())).isEqualTo("scheduler binary " + script + " is not an ELF executable (it is a script; the guest"
                + " runs the scheduler binary itself, so give the executable the script starts); give the scheduler's user-space binary");
        assertThat(problem(project.toString())).isEqualTo("scheduler binary " + project + " is not a regular file; give the scheduler's executable");
    }
}
