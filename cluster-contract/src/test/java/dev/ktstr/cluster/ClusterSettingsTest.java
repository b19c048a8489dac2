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
    void authTokenVerifiesOnlyTheRightSecret() {
        String t = AuthToken.of("s3cret-s3cret-s3cret", "10.0.0.5:4000");
        assertThat(AuthToken.verify("s3cret-s3cret-s3cret", "10.0.0.5:4000", t)).isTrue();
        assertThat(AuthToken.verify("other-other-other-x", "10.0.0.5:4000", t)).isFalse();
        assertThat(AuthToken.verify("s3cret-s3cret-s3cret", "10.0.0.6:4000", t)).isFalse();
        assertThat(AuthToken.verify(null, "x", "")).isTrue();
    }
}
