package io.cahoots.agent.observe;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cahoots.agent.cluster.ClusterSnapshot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A {@link ClusterSnapshot} as the leader shares it with the fleet: the records' fields as JSON (nothing derived),
 * gzipped -- a snapshot of a 6-node cluster is ~1 KB, of 1,000 nodes ~60 KB.
 */
final class SnapshotCodec {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SnapshotCodec() {
    }

    static byte[] encode(ClusterSnapshot snapshot) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            JSON.writeValue(gz, snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ClusterSnapshot decode(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return JSON.readValue(in, ClusterSnapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable shared snapshot", e);
        }
    }
}
