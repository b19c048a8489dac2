package dev.ktstr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainVersionTest {

    @Test
    void versionNamesTheCommitOfTheCheckout() {
        // the test classes live in this git worktree, so a commit (7 hex, maybe -dirty) must be found
        assertThat(VersionInfo.commit()).matches("[0-9a-f]{7}(-dirty)?");
        assertThat(new VersionInfo().getVersion()[0]).startsWith("ktstr-java 0.1.0 (commit ");
    }

    @Test
    void generateCompletionPrintsABashScriptForKtstr() {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("generate-completion", new picocli.AutoComplete.GenerateCompletion());
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("generate-completion")).isZero();
        assertThat(out.toString()).contains("complete -F").contains("ktstr");
    }
}
