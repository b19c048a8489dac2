package dev.ktstr.coordinator.testrun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The project commit recorded in sidecars: 7-hex HEAD of the enclosing git repo, {@code -dirty} if modified. */
public final class GitCommit {
    private GitCommit() {}

    public static String describe(Path dir) {
        String head = git(dir, "rev-parse", "--short=7", "HEAD");
        if (head == null || head.isEmpty()) return null;
        String status = git(dir, "status", "--porcelain", "--untracked-files=no", "--ignore-submodules");
        return status != null && !status.isEmpty() ? head + "-dirty" : head;
    }

    private static String git(Path dir, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
