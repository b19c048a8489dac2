package dev.ktstr.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ktstr.host.OwnedTempFiles.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnedTempFilesTest {
    @TempDir
    Path dir;

    @Test
    void aCreatedDirectoryNamesThisJvmAndItsStartTime() throws Exception {
        Path d = OwnedTempFiles.createDirectory(dir, "ktstr-vm-");
        assertThat(d).isDirectory().hasParent(dir);
        var parsed = OwnedTempFiles.parse(d.getFileName().toString(), "ktstr-vm-").orElseThrow();
        assertThat(parsed.owner()).isEqualTo(Owner.current());
        assertThat(parsed.owner().pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(parsed.rest()).isNotEmpty();
    }

    @Test
    void aCreatedFileKeepsItsSuffix() throws Exception {
        Path f = OwnedTempFiles.createFile(dir, "part-", "-0123456789ab.part");
        assertThat(f).isRegularFile();
        assertThat(f.getFileName().toString()).startsWith(OwnedTempFiles.ownedPrefix("part-")).endsWith("-0123456789ab.part");
        assertThat(OwnedTempFiles.parse(f.getFileName().toString(), "part-")).map(n -> n.owner()).contains(Owner.current());
    }

    @Test
    void thisJvmIsAliveAndTheSamePidWithAnotherStartTimeIsNot() {
        Owner me = Owner.current();
        assertThat(me.isAlive()).isTrue();
        assertThat(new Owner(me.pid(), me.startTicks() + 1).isAlive()).isFalse();
        assertThat(new Owner(Fixtures.unusedPid(), 1).isAlive()).isFalse();
    }

    @Test
    void startTimeIsCountedAfterTheLastParenthesisOfTheCommand() {
        String stat = "4242 (a) b) (c d) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assertThat(OwnedTempFiles.parseStartTicks(stat)).isEqualTo(987654L);
    }

    @Test
    void otherNamesAreNotOwned() {
        for (String n : new String[] {"ktstr-vm-", "ktstr-vm-123", "ktstr-vm-123-456", "ktstr-vm-abc-1-2", "ktstr-vm-0-1-2",
                "ktstr-vm-1-2-", "ktstr-job-1-2-3", "ktstr-vm-99999999999-1-2", "ktstr-vm-1-99999999999999999999-2"}) {
            assertThat(OwnedTempFiles.parse(n, "ktstr-vm-")).as(n).isEmpty();
        }
        assertThat(OwnedTempFiles.parse("ktstr-vm-12-34-567", "ktstr-vm-")).map(x -> x.owner()).contains(new Owner(12, 34));
    }
}
