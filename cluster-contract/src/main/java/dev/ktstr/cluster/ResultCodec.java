package dev.ktstr.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.ktstr.protocol.job.JobResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/** A result's bytes as Pekko's jackson-cbor binding writes them (the same mapper), for {@link ResultParts}. */
public final class ResultCodec {
    private final ObjectMapper mapper;

    private ResultCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public static ResultCodec of(ActorSystem<?> system) {
        return new ResultCodec(JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory())));
    }

    public byte[] encode(JobResult r) {
        try {
            return mapper.writeValueAsBytes(r);
        } catch (IOException e) {
            throw new UncheckedIOException("serialising the result of job " + r.jobId(), e);
        }
    }

    /** @throws IOException when the bytes are not a result */
    public JobResult decode(byte[] data) throws IOException {
        return mapper.readValue(data, JobResult.class);
    }
}
