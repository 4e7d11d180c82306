package io.cahoots.agent.adapter.redisson;

import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.RedissonClients;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cahoots.agent.executor.JobRecord;
import io.cahoots.agent.executor.JobStore;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The fleet's jobs as Redis hashes beside the lease and the journal: {@code {cahoots-agent}:jobs} (job id -> the
 * record as JSON) and {@code {cahoots-agent}:job-signals} ({@code <job id>:<signal>} -> when it was sent: a cancel, an import's
 * cutover).
 */
public final class RedissonJobStore implements JobStore {

    private static final String JOBS = "{cahoots-agent}:jobs";
    private static final String SIGNALS = "{cahoots-agent}:job-signals";

    private final RedissonClients redisson;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule()).registerModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public RedissonJobStore(RedissonClients redisson) {
        this.redisson = redisson;
    }

    private RMap<String, String> map(String name) {
        return redisson.get().getMap(name, StringCodec.INSTANCE);
    }

    @Override
    public void save(JobRecord job) {
        guard(() -> map(JOBS).fastPut(job.id(), json.writeValueAsString(job)));
    }

    @Override
    public Optional<JobRecord> get(String id) {
        return guard(() -> {
            String v = map(JOBS).get(id);
            return v == null ? Optional.<JobRecord>empty() : Optional.of(json.readValue(v, JobRecord.class));
        });
    }

    @Override
    public List<JobRecord> all() {
        return guard(() -> {
            List<JobRecord> out = new ArrayList<>();
            for (String v : map(JOBS).readAllValues()) {
                out.add(json.readValue(v, JobRecord.class));
            }
            return out;
        });
    }

    @Override
    public void signal(String id, String signal) {
        guard(() -> map(SIGNALS).fastPut(id + ":" + signal, Instant.now().toString()));
    }

    @Override
    public boolean signalled(String id, String signal) {
        return guard(() -> map(SIGNALS).containsKey(id + ":" + signal));
    }

    @Override
    public void trim(Instant now) {
        guard(() -> {
            List<JobRecord> finished = new ArrayList<>(all().stream().filter(j -> j.state().isFinal()).toList());
            finished.sort(Comparator.comparing(JobRecord::createdAt).reversed());
            Instant horizon = now.minus(Duration.ofDays(KEEP_DAYS));
            List<String> drop = new ArrayList<>();
            for (int i = 0; i < finished.size(); i++) {
                if (i >= KEEP_FINISHED || finished.get(i).createdAt().isBefore(horizon)) {
                    drop.add(finished.get(i).id());
                }
            }
            if (!drop.isEmpty()) {
                map(JOBS).fastRemove(drop.toArray(String[]::new));
                map(SIGNALS).keySet().removeIf(k -> drop.contains(k.substring(0, k.lastIndexOf(':'))));
            }
            return null;
        });
    }

    private <T> T guard(Body<T> body) {
        try {
            return body.run();
        } catch (RedisException e) {
            throw e;
        } catch (Exception e) {
            throw new RedisException.Unavailable(redisson.firstSeed(), "job store: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Body<T> {
        T run() throws Exception;
    }
}
