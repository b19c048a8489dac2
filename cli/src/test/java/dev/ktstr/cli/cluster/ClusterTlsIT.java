package dev.ktstr.cli.cluster;

import dev.ktstr.coordinator.journal.JournalState;
import dev.ktstr.coordinator.journal.RunJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two JVMs over the real TLS transport (mutual authentication), with a throwaway CA made by
 * keytool in the test; a node whose certificate another CA signed cannot join.
 */
class ClusterTlsIT {

    static final String PW = "changeit-throwaway";

    @TempDir
    Path tmp;

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    }

    private void ca(String name) throws Exception {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "bc:c",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", name + ".p12", "-storepass", PW);
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", name + ".p12", "-storepass", PW, "-file", name + ".pem");
    }

    /** A node key pair in {@code node.p12}, its certificate signed by {@code ca}. */
    private void node(String node, String ca) throws Exception {
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", node + ".p12", "-storepass", PW);
        keytool("-certreq", "-alias", "node", "-keystore", node + ".p12", "-storepass", PW, "-file", node + ".csr");
        keytool("-gencert", "-alias", ca, "-keystore", ca + ".p12", "-storepass", PW, "-infile", node + ".csr", "-outfile",
                node + ".pem", "-rfc", "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", ca, "-file", ca + ".pem", "-keystore", node + ".p12", "-storepass", PW);
        keytool("-importcert", "-alias", "node", "-file", node + ".pem", "-keystore", node + ".p12", "-storepass", PW);
    }

    private List<String> tls(String node) {
        return List.of("--tls-keystore", tmp.resolve(node + ".p12").toString(), "--tls-truststore", tmp.resolve("trust.p12").toString(),
                "--tls-password-file", tmp.resolve("pw").toString(), "--secret-file", tmp.resolve("secret").toString());
    }

    private Jvm worker(String name, int port, String node, String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("worker", "--join", "127.0.0.1:" + port, "--fake", "--fake-ms", "20", "--slots", "4",
                "--cache-dir", tmp.resolve("cache-" + name).toString(), "--sbr-stable-after", "3"));
        a.addAll(tls(node));
        a.addAll(List.of(extra));
        return Jvm.start(name, tmp, a.toArray(String[]::new));
    }

    @Test
    void aTlsClusterRunsAndANodeFromAnotherCaCannotJoin() throws Exception {
        Files.writeString(tmp.resolve("pw"), PW + "\n");
        Files.writeString(tmp.resolve("secret"), "0123456789abcdef0123456789abcdef\n");
        ca("ca");
        ca("otherca");
        node("coord", "ca");
        node("good", "ca");
        node("stranger", "otherca");
        // every node trusts only the fleet CA
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-storetype", "PKCS12", "-keystore", "trust.p12",
                "-storepass", PW);

        int port = Jvm.freePort();
        Path journal = RunJournal.pathFor(tmp.resolve("runs"), "it-tls");
        List<String> ca = new ArrayList<>(List.of("coordinator", "--bind", "127.0.0.1:" + port, "--runs-dir",
                tmp.resolve("runs").toString(), "--sbr-stable-after", "3", "--fake-jobs", "100", "--run-id", "it-tls"));
        ca.addAll(tls("coord"));
        try (Jvm c = Jvm.start("coord", tmp, ca.toArray(String[]::new))) {
            try (Jvm stranger = worker("stranger", port, "stranger", "--join-timeout", "5")) {
                assertThat(stranger.awaitExit(90)).as(stranger.tail()).isEqualTo(3);
                assertThat(stranger.output()).contains("could not join the coordinator");
            }
            assertThat(c.process.isAlive()).as(c.tail()).isTrue();
            try (Jvm good = worker("good", port, "good")) {
                assertThat(c.awaitExit(180)).as(c.tail()).isEqualTo(1); // complete; the fake backend fails ~10% of ids
                assertThat(good.awaitExit(60)).as(good.tail()).isZero();
            }
        }
        JournalState st = RunJournal.replay(journal);
        assertThat(st.results()).hasSize(100);
        assertThat(st.duplicateResults()).isZero();
    }
}
