package dev.ktstr.cli;

import dev.ktstr.results.ProjectCommit;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * {@code ktstr --version}: the version and the commit the CLI was built from, so a bug report names
 * the exact code. The commit is that of the checkout holding the jar (bin/ktstr runs it from cli/target).
 */
public final class VersionInfo implements CommandLine.IVersionProvider {
    static final String VERSION = "ktstr-java 0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {VERSION + " (commit " + commit() + ")"};
    }

    static String commit() {
        try {
            var cs = VersionInfo.class.getProtectionDomain().getCodeSource();
            String c = cs == null ? null : ProjectCommit.detect(Path.of(cs.getLocation().toURI()).getParent());
            return c != null ? c : "unknown: not run from a git checkout";
        } catch (Exception e) {
            return "unknown: " + e.getMessage();
        }
    }
}
