package dev.ktstr.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The 7-hex HEAD of the git repository enclosing a directory, with "-dirty" when the tree differs. */
public final class ProjectCommit {
    private ProjectCommit() {}

    /** Null when {@code dir} is not inside a git repository or git is missing. */
    public static String detect(Path dir) {
        String head = git(dir, "rev-parse", "--short=7", "HEAD");
        if (head == null || head.isBlank()) {
            return null;
        }
        String status = git(dir, "status", "--porcelain", "--untracked-files=no", "--ignore-submodules");
        return head.strip() + (status != null && !status.isBlank() ? "-dirty" : "");
    }

    private static String git(Path dir, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
