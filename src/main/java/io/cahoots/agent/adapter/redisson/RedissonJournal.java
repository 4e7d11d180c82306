package io.cahoots.agent.adapter.redisson;

import io.cahoots.agent.redis.RedissonClients;
import io.cahoots.agent.executor.JobJournal;
import org.redisson.api.RMap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The job journal as a Redis hash on the cluster ({@code {cahoots-agent}:journal}, in the lease's slot):
 * job id -> {@code type|startedAt|agent|description}. An entry lives from the job's start to its end; one
 * that is still there while nobody holds the lease belongs to an agent that died.
 */
public final class RedissonJournal implements JobJournal {

    static final String JOURNAL = "{cahoots-agent}:journal";
    private static final String SEP = "|";

    private final RedissonClients redisson;

    public RedissonJournal(RedissonClients redisson) {
        this.redisson = redisson;
    }

    private RMap<String, String> map() {
        return redisson.get().getMap(JOURNAL, org.redisson.client.codec.StringCodec.INSTANCE);
    }

    @Override
    public void started(Entry e) {
        map().fastPut(e.id(), String.join(SEP, e.type(), e.startedAt().toString(), e.agent().replace(SEP, "/"), e.description()));
    }

    @Override
    public void finished(String id) {
        map().fastRemove(id);
    }

    @Override
    public List<Entry> unfinished() {
        List<Entry> out = new ArrayList<>();
        map().readAllMap().forEach((id, value) -> {
            String[] f = value.split("\\" + SEP, 4);
            out.add(new Entry(id, f[0], f.length > 3 ? f[3] : "", f.length > 2 ? f[2] : "?", Instant.parse(f[1])));
        });
        return out;
    }
}
