package io.cahoots.agent.adapter.redisson;

import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.RedissonClients;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cahoots.agent.fleet.FleetStore;
import io.cahoots.agent.fleet.LeaderInfo;
import io.cahoots.agent.fleet.Member;
import io.cahoots.agent.fleet.StoredView;
import org.redisson.api.RMap;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The {@link FleetStore} on the watched Redis, through Redisson. Every key carries the {@code {cahoots-agent}} hash tag,
 * so on a cluster they all live in one slot beside the execution lease and the job journal:
 * <ul>
 *   <li>{@code :members} hash, member id -> JSON entry;</li>
 *   <li>{@code :leader} the leader's lease: the holder's member id with a time to live of two thirds of
 *       {@code AGENT_LEASE_TIMEOUT}, taken when absent and renewed by its holder on every beat (one Lua call each);
 *       {@code :leader-info} who took it and when;</li>
 *   <li>{@code :topology} hash ({@code version}, {@code json}) written by a Lua compare-and-set that refuses a version
 *       not above the stored one; {@code :topology-events} the channel announcing each stored view;</li>
 *   <li>{@code :doc:<name>} shared documents with a time to live; {@code :deliveries} hash, push channel -> version.</li>
 * </ul>
 */
public final class RedissonFleetStore implements FleetStore {

    static final String PREFIX = "{cahoots-agent}:";
    /** Take the lease when free, renew it when ours: 1 when held by ARGV[1] afterwards. */
    private static final String LEAD = """
            local holder = redis.call('get', KEYS[1])
            if holder == false or holder == ARGV[1] then
              redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            return 0
            """;
    private static final String RESIGN = """
            if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
            return 0
            """;
    private static final String STORE_VIEW = """
            local current = tonumber(redis.call('hget', KEYS[1], 'version') or '0')
            if tonumber(ARGV[1]) <= current then return 0 end
            redis.call('hset', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
            return 1
            """;

    private final RedissonClients redisson;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** Unique per process, so that a restarted member never mistakes its predecessor's lease for its own. */
    private final String owner = UUID.randomUUID().toString();
    private final Duration leaderTtl;

    /** @param leaderTtl how long the leader's lease outlives its last renewal */
    public RedissonFleetStore(RedissonClients redisson, Duration leaderTtl) {
        this.redisson = redisson;
        this.leaderTtl = leaderTtl;
    }

    private RMap<String, String> hash(String name) {
        return redisson.get().getMap(PREFIX + name, StringCodec.INSTANCE);
    }

    @Override
    public void announce(Member member) {
        call("announce", () -> hash("members").fastPut(member.id(), write(member)));
    }

    @Override
    public List<Member> members() {
        return call("read the members", () -> {
            List<Member> out = new ArrayList<>();
            hash("members").readAllMap().values().forEach(v -> out.add(read(v, Member.class)));
            return out;
        });
    }

    @Override
    public void forget(String memberId) {
        call("forget a member", () -> hash("members").fastRemove(memberId));
    }

    @Override
    public boolean lead() {
        return call("take the leader lease", () -> {
            Long held = redisson.get().getScript(StringCodec.INSTANCE).eval(PREFIX + "leader", RScript.Mode.READ_WRITE,
                    LEAD, RScript.ReturnType.INTEGER, List.of(PREFIX + "leader"), owner,
                    Long.toString(leaderTtl.toMillis()));
            return held != null && held == 1;
        });
    }

    @Override
    public void resign() {
        call("give the leader lease up", () -> redisson.get().getScript(StringCodec.INSTANCE).eval(PREFIX + "leader",
                RScript.Mode.READ_WRITE, RESIGN, RScript.ReturnType.INTEGER, List.of(PREFIX + "leader"), owner));
    }

    @Override
    public void announceLeader(LeaderInfo leader) {
        call("announce the leader", () -> {
            redisson.get().getBucket(PREFIX + "leader-info", StringCodec.INSTANCE).set(write(leader));
            return null;
        });
    }

    @Override
    public Optional<LeaderInfo> leader() {
        return call("read the leader", () -> Optional.ofNullable((String) redisson.get()
                .getBucket(PREFIX + "leader-info", StringCodec.INSTANCE).get()).map(v -> read(v, LeaderInfo.class)));
    }

    @Override
    public boolean storeView(StoredView view) {
        return call("store the topology view", () -> {
            Long stored = redisson.get().getScript(StringCodec.INSTANCE).eval(PREFIX + "topology", RScript.Mode.READ_WRITE,
                    STORE_VIEW, RScript.ReturnType.INTEGER, List.of(PREFIX + "topology"),
                    Long.toString(view.version()), new String(view.json(), StandardCharsets.UTF_8));
            if (stored != null && stored == 1) {
                topic().publish(Long.toString(view.version()));
                return true;
            }
            return false;
        });
    }

    @Override
    public Optional<StoredView> view() {
        return call("read the topology view", () -> {
            var fields = hash("topology").getAll(java.util.Set.of("version", "json"));
            if (fields.get("version") == null || fields.get("json") == null) {
                return Optional.<StoredView>empty();
            }
            return Optional.of(new StoredView(Long.parseLong(fields.get("version")),
                    fields.get("json").getBytes(StandardCharsets.UTF_8)));
        });
    }

    @Override
    public long viewVersion() {
        return call("read the topology version", () -> {
            String v = hash("topology").get("version");
            return v == null ? 0L : Long.parseLong(v);
        });
    }

    /**
     * The announcement carries only the version; the view is read from the hash, so a member never adopts a view that
     * a compare-and-set refused.
     */
    @Override
    public void onView(Consumer<StoredView> consumer) {
        call("subscribe to topology views", () -> topic().addListener(String.class, (channel, version) -> {
            try {
                view().ifPresent(consumer);
            } catch (RuntimeException e) {
                // The periodic version check catches up.
            }
        }));
    }

    private RTopic topic() {
        return redisson.get().getTopic(PREFIX + "topology-events", StringCodec.INSTANCE);
    }

    @Override
    public void putDocument(String name, byte[] value, Duration ttl) {
        call("share " + name, () -> {
            redisson.get().<byte[]>getBucket(PREFIX + "doc:" + name, ByteArrayCodec.INSTANCE).set(value, ttl);
            return null;
        });
    }

    @Override
    public Optional<byte[]> document(String name) {
        return call("read " + name, () -> Optional.ofNullable(
                redisson.get().<byte[]>getBucket(PREFIX + "doc:" + name, ByteArrayCodec.INSTANCE).get()));
    }

    @Override
    public void delivered(String channel, long version) {
        call("record a delivery", () -> hash("deliveries").fastPut(channel, Long.toString(version)));
    }

    @Override
    public long deliveredVersion(String channel) {
        return call("read a delivery", () -> {
            String v = hash("deliveries").get(channel);
            return v == null ? 0L : Long.parseLong(v);
        });
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + " in the fleet store", e);
        }
    }

    /** Translates whatever Redisson throws into the agent's taxonomy, at this edge. */
    private <T> T call(String what, Callable<T> body) {
        try {
            return body.call();
        } catch (RedisException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException.Unavailable(redisson.firstSeed(), "interrupted: " + what, e);
        } catch (Exception e) {
            throw new RedisException.Unavailable(redisson.firstSeed(), "cannot " + what + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Callable<T> {
        T call() throws Exception;
    }
}
