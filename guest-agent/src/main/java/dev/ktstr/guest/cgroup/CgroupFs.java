package dev.ktstr.guest.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The few filesystem operations the cgroup manager performs. The real one talks to cgroupfs;
 * tests substitute a fake backed by an ordinary temp directory.
 */
public interface CgroupFs {
    /** One write(2) of the whole value, as cgroupfs parses each write separately. */
    void write(Path file, String value) throws IOException;

    String read(Path file) throws IOException;

    void mkdir(Path dir) throws IOException;

    void rmdir(Path dir) throws IOException;

    boolean exists(Path p);

    List<Path> childDirs(Path dir) throws IOException;

    /** Real cgroupfs: plain file operations (Files.delete on a directory is rmdir(2)). */
    CgroupFs REAL = new CgroupFs() {
        @Override
        public void write(Path file, String value) throws IOException {
            Files.writeString(file, value, StandardOpenOption.WRITE);
        }

        @Override
        public String read(Path file) throws IOException {
            return Files.readString(file);
        }

        @Override
        public void mkdir(Path dir) throws IOException {
            Files.createDirectory(dir);
        }

        @Override
        public void rmdir(Path dir) throws IOException {
            Files.delete(dir);
        }

        @Override
        public boolean exists(Path p) {
            return Files.exists(p);
        }

        @Override
        public List<Path> childDirs(Path dir) throws IOException {
            try (var s = Files.list(dir)) {
                return s.filter(Files::isDirectory).sorted().toList();
            }
        }
    };
}
