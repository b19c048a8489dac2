package dev.ktstr.cluster;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void loopbackNeedsNothingAndGetsSbrAndCbor() {
        Config c = ClusterSettings.loopback(0, List.of("127.0.0.1:25520"), List.of("worker")).toConfig();
        assertThat(c.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("127.0.0.1");
        assertThat(c.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://ktstr@127.0.0.1:25520");
        assertThat(c.getString("pekko.cluster.downing-provider-class")).contains("SplitBrainResolverProvider");
        assertThat(c.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-oldest");
        assertThat(c.getDuration("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes").toSeconds()).isEqualTo(20);
        assertThat(c.getString("pekko.actor.serialization-bindings.\"dev.ktstr.protocol.job.CborSerializable\""))
                .isEqualTo("jackson-cbor");
    }

    @Test
    void refusesANonLoopbackBindWithoutTlsAndSecret() {
        ClusterSettings open = new ClusterSettings("0.0.0.0", 25520, List.of(), List.of(), null, null, null, null);
        assertThatThrownBy(open::validate).isInstanceOf(InsecureBindException.class)
                .hasMessageContaining("--tls-keystore").hasMessageContaining("--secret-file").hasMessageContaining("127.0.0.1");
        ClusterSettings tlsOnly = new ClusterSettings("0.0.0.0", 25520, List.of(), List.of(),
                new ClusterSettings.Tls(tmp.resolve("k"), tmp.resolve("t"), tmp.resolve("p")), null, null, null);
        assertThatThrownBy(tlsOnly::validate).hasMessageContaining("--secret-file").hasMessageNotContaining("--tls-keystore");
    }

    @Test
    void tlsSettingsTurnOnTheTlsTransportWithMutualAuth() throws Exception {
        for (String f : List.of("k", "t")) Files.writeString(tmp.resolve(f), "x");
        Files.writeString(tmp.resolve("p"), "hunter2hunter2\n");
        ClusterSettings s = new ClusterSettings("0.0.0.0", 25520, List.of(), List.of(),
                new ClusterSettings.Tls(tmp.resolve("k"), tmp.resolve("t"), tmp.resolve("p")), "0123456789abcdefXYZ", null, null);
        Config c = s.toConfig();
        assertThat(c.getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
        assertThat(c.getString("pekko.remote.artery.ssl.config-ssl-engine.key-store-password")).isEqualTo("hunter2hunter2");
        assertThat(c.getBoolean("pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication")).isTrue();
    }

    @Test
    void hostPortErrorsNameTheFlag() {
        assertThatThrownBy(() -> ClusterSettings.parseHostPort("--join", "localhost")).hasMessageContaining("--join expects HOST:PORT");
        assertThatThrownBy(() -> ClusterSettings.parseHostPort("--bind", "h:99999")).hasMessageContaining("0..65535");
        assertThat(ClusterSettings.parseHostPort("--join", "10.1.2.3:7000").port()).isEqualTo(7000);
    }

    @Test
    void tokensCoverTheirMessageAndSecret() {
        String sec = "s3cret-s3cret-s3cret";
        String t = AuthToken.result(sec, "10.0.0.5:4000", "job-1", 0, "PASS");
        assertThat(AuthToken.check(sec, t, AuthToken.result(sec, "10.0.0.5:4000", "job-1", 0, "PASS"))).isTrue();
        assertThat(AuthToken.check(sec, t, AuthToken.result("other-other-other-x", "10.0.0.5:4000", "job-1", 0, "PASS"))).isFalse();
        assertThat(AuthToken.check(sec, t, AuthToken.result(sec, "10.0.0.5:4000", "job-1", 1, "PASS"))).isFalse();
        assertThat(AuthToken.check(sec, t, AuthToken.result(sec, "10.0.0.5:4000", "job-1", 0, "FAIL"))).isFalse();
        // a worker's request token, which a rogue posing as coordinator receives, is no result or coordinator token
        String req = AuthToken.request(sec, "10.0.0.5:4000");
        assertThat(req).isNotEqualTo(AuthToken.coordinator(sec, "10.0.0.5:4000")).isNotEqualTo(t);
        assertThat(AuthToken.check(sec, null, req)).isFalse();
        assertThat(AuthToken.check(null, "", "")).isTrue(); // actor unit tests only
        assertThat(AuthToken.randomSecret()).hasSize(64).isNotEqualTo(AuthToken.randomSecret());
    }

    @Test
    void aSystemPropertyThatExposesTheClusterIsRefused() {
        System.setProperty("pekko.remote.artery.canonical.hostname", "0.0.0.0");
        com.typesafe.config.ConfigFactory.invalidateCaches();
        try {
            ClusterSettings s = ClusterSettings.loopback(0, List.of(), List.of("worker")).withSecret("0123456789abcdef0123");
            assertThatThrownBy(s::toConfig).isInstanceOf(InsecureBindException.class)
                    .hasMessageContaining("pekko.remote.artery.canonical.hostname=0.0.0.0").hasMessageContaining("tls-tcp");
        } finally {
            System.clearProperty("pekko.remote.artery.canonical.hostname");
            com.typesafe.config.ConfigFactory.invalidateCaches();
        }
        ClusterSettings.loopback(0, List.of(), List.of("worker")).toConfig(); // and without it, loopback starts
    }

    @Test
    void aNonLoopbackJoinWithoutTlsIsRefusedUpFront() {
        ClusterSettings s = new ClusterSettings("127.0.0.1", 0, List.of("10.1.2.3:25520"), List.of("worker"), null,
                "0123456789abcdef0123", null, null);
        assertThatThrownBy(s::validate).isInstanceOf(InsecureBindException.class)
                .hasMessageContaining("--join 10.1.2.3:25520").hasMessageContaining("--tls-keystore");
    }

    @Test
    void thePerUserSecretIsCreatedOnceWithOwnerOnlyAccess() throws Exception {
        Path f = tmp.resolve("d").resolve("cluster.secret");
        String a = ClusterSettings.perUserSecret(f);
        assertThat(ClusterSettings.perUserSecret(f)).isEqualTo(a).hasSize(64);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent())))
                .isEqualTo("rwx------");
        try (var l = Files.list(f.getParent())) {
            assertThat(l).hasSize(1); // no temp file left
        }
    }
}
