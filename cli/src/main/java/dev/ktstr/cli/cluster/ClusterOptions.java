package dev.ktstr.cli.cluster;

import dev.ktstr.cluster.ClusterSettings;
import dev.ktstr.host.KtstrDirs;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Transport security options shared by {@code ktstr coordinator} and {@code ktstr worker}. */
final class ClusterOptions {
    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "PKCS12/JKS keystore for TLS on the cluster transport (required off loopback)")
    Path tlsKeystore;

    @Option(names = "--tls-truststore", paramLabel = "FILE", description = "truststore holding the cluster CA")
    Path tlsTruststore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "file with the keystore/truststore password")
    Path tlsPasswordFile;

    @Option(names = "--secret-file", paramLabel = "FILE", description = "shared secret every node must present (required off loopback; on loopback default: "
            + "a per-user 0600 file <cache root>/cluster.secret)")
    Path secretFile;

    @Option(names = "--sbr-stable-after", paramLabel = "SECONDS", hidden = true, defaultValue = "7",
            description = "split-brain resolver stable-after")
    int sbrStableAfterSeconds;

    ClusterSettings settings(String bindHost, int bindPort, List<String> seeds, List<String> roles, Duration joinTimeout) {
        ClusterSettings.Tls tls = null;
        if (tlsKeystore != null || tlsTruststore != null || tlsPasswordFile != null) {
            if (tlsKeystore == null || tlsTruststore == null || tlsPasswordFile == null) {
                throw new IllegalArgumentException("TLS needs all of --tls-keystore, --tls-truststore and --tls-password-file");
            }
            tls = new ClusterSettings.Tls(tlsKeystore, tlsTruststore, tlsPasswordFile);
        }
        String secret = secretFile == null ? null : ClusterSettings.readSecretFile(secretFile);
        boolean allLoopback = ClusterSettings.isLoopback(bindHost)
                && seeds.stream().allMatch(x -> ClusterSettings.isLoopback(ClusterSettings.parseHostPort("--join", x).host()));
        if (secret == null && allLoopback) {
            // a loopback cluster is still reachable by every local user: nodes of one user share a 0600 secret file
            secret = ClusterSettings.perUserSecret(KtstrDirs.cacheRoot().resolve("cluster.secret"));
        }
        ClusterSettings s = new ClusterSettings(bindHost, bindPort, seeds, roles, tls, secret, joinTimeout,
                Duration.ofSeconds(sbrStableAfterSeconds));
        s.validate();
        return s;
    }
}
