package dev.ktstr.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a ktstr node joins the cluster. Binds 127.0.0.1 unless told otherwise; any other address
 * needs TLS for the Artery transport and a shared secret, or {@link #validate()} refuses.
 *
 * @param seeds {@code host:port} of the coordinator; empty = this node is the first (self-join)
 */
public record ClusterSettings(String bindHost, int bindPort, List<String> seeds, List<String> roles, Tls tls,
                              String secret, Duration joinTimeout, Duration sbrStableAfter) {

    public static final String SYSTEM_NAME = "ktstr";

    /** Keystore/truststore (PKCS12 or JKS) shared by all nodes, with one password file. */
    public record Tls(Path keyStore, Path trustStore, Path passwordFile) {
    }

    public ClusterSettings {
        seeds = List.copyOf(seeds);
        roles = List.copyOf(roles);
        if (joinTimeout == null) joinTimeout = Duration.ofSeconds(20);
        if (sbrStableAfter == null) sbrStableAfter = Duration.ofSeconds(7);
    }

    public static ClusterSettings loopback(int port, List<String> seeds, List<String> roles) {
        return new ClusterSettings("127.0.0.1", port, seeds, roles, null, null, null, null);
    }

    /** Parses {@code HOST:PORT}; the error names the flag. */
    public static HostPort parseHostPort(String flag, String text) {
        int i = text == null ? -1 : text.lastIndexOf(':');
        if (i <= 0 || i == text.length() - 1) {
            throw new IllegalArgumentException(flag + " expects HOST:PORT (e.g. 127.0.0.1:25520), got '" + text + "'");
        }
        try {
            int port = Integer.parseInt(text.substring(i + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new HostPort(text.substring(0, i), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": port must be 0..65535 in '" + text + "'");
        }
    }

    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Throws {@link InsecureBindException} naming what to configure. */
    public void validate() {
        for (String s : seeds) {
            HostPort hp = parseHostPort("--join", s);
            if (!isLoopback(hp.host()) && (tls == null || secret == null || secret.isEmpty())) {
                // refused before any byte leaves: the first handshake would already carry cluster traffic in clear
                throw new InsecureBindException("refusing to --join " + hp + " (not loopback) without "
                        + (tls == null ? "TLS (--tls-keystore FILE --tls-truststore FILE --tls-password-file FILE)" : "")
                        + (tls == null && (secret == null || secret.isEmpty()) ? " and " : "")
                        + (secret == null || secret.isEmpty() ? "a shared secret (--secret-file FILE, same file on every node)" : "")
                        + "; configure them like the coordinator, or join 127.0.0.1 for a single-host cluster");
            }
        }
        if (isLoopback(bindHost)) return;
        List<String> missing = new ArrayList<>();
        if (tls == null) missing.add("TLS for the cluster transport (--tls-keystore FILE --tls-truststore FILE --tls-password-file FILE)");
        if (secret == null || secret.isEmpty()) missing.add("a shared secret (--secret-file FILE, same file on every node)");
        if (!missing.isEmpty()) {
            throw new InsecureBindException("refusing to bind the cluster port to " + bindHost
                    + " (not loopback) without " + String.join(" and ", missing)
                    + "; configure them, or bind 127.0.0.1 for a single-host cluster");
        }
        for (Path p : List.of(tls.keyStore(), tls.trustStore(), tls.passwordFile())) {
            if (!Files.isReadable(p)) throw new IllegalArgumentException("TLS file " + p + " is not readable");
        }
    }

    public static String readSecretFile(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (s.length() < 16) {
                throw new IllegalArgumentException("secret in " + file + " is shorter than 16 characters; use e.g. `openssl rand -hex 32 > " + file + "`");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read secret file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The Pekko config for this node; system properties still override it (handy in tests). */
    public Config toConfig() {
        validate();
        Map<String, Object> m = new HashMap<>();
        m.put("pekko.actor.provider", "cluster");
        m.put("pekko.remote.artery.canonical.hostname", bindHost);
        m.put("pekko.remote.artery.canonical.port", bindPort);
        // artifact chunks are 256 KiB plus envelope
        m.put("pekko.remote.artery.advanced.maximum-frame-size", "1MiB");
        m.put("pekko.remote.artery.advanced.buffer-pool-size", 32);
        m.put("pekko.cluster.roles", roles);
        List<String> seedUris = new ArrayList<>();
        for (String s : seeds) {
            HostPort hp = parseHostPort("--join", s);
            seedUris.add("pekko://" + SYSTEM_NAME + "@" + hp.host() + ":" + hp.port());
        }
        m.put("pekko.cluster.seed-nodes", seedUris);
        if (!seeds.isEmpty()) {
            m.put("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes", joinTimeout.toMillis() + "ms");
        }
        m.put("pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        // the coordinator starts first, so it is the oldest: keep its side; down it if it is alone
        m.put("pekko.cluster.split-brain-resolver.active-strategy", "keep-oldest");
        m.put("pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone", "on");
        m.put("pekko.cluster.split-brain-resolver.stable-after", sbrStableAfter.toMillis() + "ms");
        // TCG VMs keep every host CPU busy: heartbeats were measured 4.8 s late on a 2-CPU host running
        // two VMs, and a worker marked unreachable mid-job loses that job's VM time
        m.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", "10s");
        m.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
        m.put("pekko.cluster.log-info", "off");
        m.put("pekko.coordinated-shutdown.exit-jvm", "off");
        m.put("pekko.actor.serialization-bindings.\"dev.ktstr.protocol.job.CborSerializable\"", "jackson-cbor");
        // JDK-aware ForkJoinPool compensation (the 1.7 default starves actor-heavy loads on JDK 25, 1-2 cores)
        m.put("pekko.actor.default-dispatcher.fork-join-executor.minimum-runnable", -1);
        // a loaded 2-core CI host can take longer than the 5 s default to start the logger
        m.put("pekko.logger-startup-timeout", "30s");
        m.put("pekko.loglevel", "WARNING");
        m.put("pekko.stdout-loglevel", "WARNING");
        m.put("pekko.log-dead-letters", "off");
        m.put("pekko.log-dead-letters-during-shutdown", "off");
        if (tls != null) {
            String pw = readPassword(tls.passwordFile());
            m.put("pekko.remote.artery.transport", "tls-tcp");
            String p = "pekko.remote.artery.ssl.config-ssl-engine.";
            m.put(p + "key-store", tls.keyStore().toString());
            m.put(p + "trust-store", tls.trustStore().toString());
            m.put(p + "key-store-password", pw);
            m.put(p + "key-password", pw);
            m.put(p + "trust-store-password", pw);
            m.put(p + "protocol", "TLSv1.3");
            m.put(p + "enabled-algorithms", List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"));
            m.put(p + "require-mutual-authentication", "on");
        }
        Config merged = ConfigFactory.systemProperties()
                .withFallback(ConfigFactory.parseMap(m, "ktstr cluster settings"))
                .withFallback(ConfigFactory.load());
        checkMerged(merged);
        return merged;
    }

    /**
     * The validated settings are not what Pekko binds: system properties and application.conf
     * override them. So the effective config is checked again: any address beyond loopback needs
     * the TLS transport and this node's secret.
     */
    void checkMerged(Config merged) {
        List<String> exposed = new ArrayList<>();
        for (String key : List.of("pekko.remote.artery.canonical.hostname", "pekko.remote.artery.bind.hostname")) {
            if (!merged.hasPath(key)) continue;
            String host = merged.getString(key).trim();
            if (!host.isEmpty() && !isLoopback(host)) exposed.add(key + "=" + host);
        }
        if (merged.hasPath("pekko.cluster.seed-nodes")) {
            for (String uri : merged.getStringList("pekko.cluster.seed-nodes")) {
                String hostPort = uri.substring(uri.indexOf('@') + 1);
                String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
                if (!isLoopback(host)) exposed.add("pekko.cluster.seed-nodes " + uri);
            }
        }
        if (exposed.isEmpty()) return;
        String transport = merged.hasPath("pekko.remote.artery.transport") ? merged.getString("pekko.remote.artery.transport") : "";
        boolean tlsOn = "tls-tcp".equals(transport);
        if (!tlsOn || secret == null || secret.isEmpty()) {
            throw new InsecureBindException("refusing to start: the effective Pekko config (system properties / application.conf"
                    + " included) exposes the cluster beyond loopback (" + String.join(", ", exposed) + ") without "
                    + (tlsOn ? "" : "the TLS transport (pekko.remote.artery.transport=tls-tcp, via --tls-keystore/--tls-truststore/--tls-password-file)")
                    + (!tlsOn && (secret == null || secret.isEmpty()) ? " and " : "")
                    + (secret == null || secret.isEmpty() ? "a shared secret (--secret-file FILE)" : "")
                    + "; remove the override or configure them");
        }
    }

    /** The same settings with {@code secret} (a random one for local mode, the per-user one for loopback CLI nodes). */
    public ClusterSettings withSecret(String secret) {
        return new ClusterSettings(bindHost, bindPort, seeds, roles, tls, secret, joinTimeout, sbrStableAfter);
    }

    /**
     * The secret loopback nodes of one user share when no {@code --secret-file} is given: a random
     * value in {@code file} (created 0600 on first use, in a 0700 directory). Other local users
     * cannot read it, so they cannot join or pose as the coordinator.
     */
    public static String perUserSecret(Path file) {
        try {
            if (!Files.exists(file)) {
                Path dir = file.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException | IOException e) {
                    // not POSIX or not ours: the file's own mode still protects the secret
                }
                Path tmp = Files.createTempFile(dir, ".cluster-secret", ".tmp",
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, AuthToken.randomSecret() + "\n", StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, tmp); // a hard link never replaces: two nodes starting at once agree
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another node created it first: use theirs
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return readSecretFile(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the per-user cluster secret " + file + ": " + e.getMessage()
                    + "; pass --secret-file FILE instead", e);
        }
    }

    private static String readPassword(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TLS password file " + file + ": " + e.getMessage(), e);
        }
    }
}
