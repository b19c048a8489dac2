package dev.ktstr.results.stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Turns a commit filter into 7-hex commits: hex stays as given, anything else ({@code HEAD~2},
 * a tag, {@code A..B}) is resolved with git in the given repository.
 */
final class CommitResolver {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{7,40}(-dirty)?");

    private final Path repo;

    CommitResolver(Path repo) {
        this.repo = repo;
    }

    List<String> resolve(String spec) {
        if (HEX.matcher(spec).matches() || "unknown".equals(spec)) {
            return List.of(spec.length() > 7 && !spec.endsWith("-dirty") ? spec.substring(0, 7) : spec);
        }
        List<String> out = spec.contains("..")
                ? git("rev-list", "--abbrev-commit", "--abbrev=7", spec)
                : git("rev-parse", "--short=7", spec + "^{commit}");
        if (out.isEmpty()) {
            throw new IllegalArgumentException("commit filter '" + spec + "' is neither 7-hex nor a git revision of "
                    + repo + " (run from inside the project repository, or give the 7-hex commit)");
        }
        return out;
    }

    private List<String> git(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.add("-C");
        cmd.add(repo.toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            if (p.exitValue() != 0) {
                return List.of();
            }
            return text.lines().map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.substring(0, Math.min(7, s.length()))).toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
