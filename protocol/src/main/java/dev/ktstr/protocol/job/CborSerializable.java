package dev.ktstr.protocol.job;

/**
 * Marker for every message that crosses the cluster. The Pekko config binds it to jackson-cbor;
 * it lives here (plain Java, no Pekko) so the job records can be sent top-level as well as nested.
 */
public interface CborSerializable {
}
