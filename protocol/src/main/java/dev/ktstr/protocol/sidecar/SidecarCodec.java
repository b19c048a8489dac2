package dev.ktstr.protocol.sidecar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes sidecar JSON. Reading validates against {@code sidecar.schema.json} first, so a
 * corrupt, truncated or foreign file is rejected with a message naming the problem instead of
 * turning into a sidecar full of zeros.
 */
public final class SidecarCodec {
    public static final String SCHEMA_RESOURCE = "/dev/ktstr/protocol/sidecar.schema.json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static volatile JsonSchema schema;

    private SidecarCodec() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(Sidecar s) {
        try {
            return MAPPER.writeValueAsBytes(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("sidecar records always serialize: " + e.getMessage(), e);
        }
    }

    public static JsonNode toTree(Sidecar s) {
        return MAPPER.valueToTree(s);
    }

    /** Schema violations of a parsed document, sorted, as "$.path: message" strings; empty when valid. */
    public static List<String> validate(JsonNode doc) {
        Set<ValidationMessage> msgs = schema().validate(doc);
        return msgs.stream().map(ValidationMessage::getMessage).sorted(Comparator.naturalOrder()).toList();
    }

    public static Sidecar parse(byte[] bytes, String origin) throws SidecarFormatException {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new SidecarFormatException(origin + ": not valid JSON (corrupt or truncated): "
                    + firstLine(e.getMessage()), e);
        }
        if (doc == null || doc.isMissingNode() || !doc.isObject()) {
            throw new SidecarFormatException(origin + ": not a JSON object (empty or foreign file)");
        }
        JsonNode version = doc.get("schema_version");
        if (version == null || !version.canConvertToInt()) {
            throw new SidecarFormatException(origin + ": no schema_version: not a ktstr-java sidecar "
                    + "(files from the Rust ktstr are not readable; regenerate them with ktstr-java)");
        }
        if (version.asInt() != Sidecar.SCHEMA_VERSION) {
            throw new SidecarFormatException(origin + ": schema_version " + version.asInt()
                    + " but this ktstr reads version " + Sidecar.SCHEMA_VERSION
                    + (version.asInt() > Sidecar.SCHEMA_VERSION ? " (written by a newer ktstr: upgrade)" : ""));
        }
        List<String> problems = validate(doc);
        if (!problems.isEmpty()) {
            throw new SidecarFormatException(origin + ": does not match the sidecar schema: "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? "; ... (" + problems.size() + " problems)" : ""));
        }
        try {
            return MAPPER.treeToValue(doc, Sidecar.class);
        } catch (JsonProcessingException e) {
            throw new SidecarFormatException(origin + ": " + firstLine(e.getMessage()), e);
        }
    }

    public static Sidecar read(Path file) throws SidecarFormatException, IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
        return parse(bytes, file.toString());
    }

    private static JsonSchema schema() {
        JsonSchema s = schema;
        if (s == null) {
            synchronized (SidecarCodec.class) {
                if (schema == null) {
                    try (InputStream in = SidecarCodec.class.getResourceAsStream(SCHEMA_RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException(SCHEMA_RESOURCE + " missing from the classpath");
                        }
                        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                s = schema;
            }
        }
        return s;
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
