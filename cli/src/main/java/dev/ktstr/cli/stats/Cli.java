package dev.ktstr.cli.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** Exit codes and error printing shared by the stats subcommands. */
final class Cli {
    /** Bad input or usage (unknown run, bad filter, unreadable policy). Regressions exit 1. */
    static final int USAGE = 2;

    interface Body {
        int run() throws IOException;
    }

    private Cli() {}

    static int guard(CommandLine.Model.CommandSpec spec, Body body) {
        try {
            return body.run();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("ktstr " + spec.qualifiedName(" ").replaceFirst("^ktstr ", "") + ": " + e.getMessage());
            return USAGE;
        } catch (IOException | UncheckedIOException e) {
            spec.commandLine().getErr().println("ktstr " + spec.qualifiedName(" ").replaceFirst("^ktstr ", "") + ": " + e.getMessage());
            return 1;
        } finally {
            // picocli's default writers autoflush only on println; reports are printed with print
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().flush();
        }
    }

    static boolean color() {
        return System.console() != null && System.getenv("NO_COLOR") == null;
    }
}
