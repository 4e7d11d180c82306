package io.cahoots.agent.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A fleet of one, in memory: the store of an agent that has no Redis to share (no cluster and no Sentinel configured),
 * and of the unit tests. It always grants the lead to whoever asks, so it must never be shared between two agents.
 */
public class LocalFleetStore implements FleetStore {

    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final Map<String, byte[]> documents = new ConcurrentHashMap<>();
    private final Map<String, Long> deliveries = new ConcurrentHashMap<>();
    private final List<Consumer<StoredView>> viewListeners = new CopyOnWriteArrayList<>();
    private volatile Optional<LeaderInfo> leader = Optional.empty();
    private volatile Optional<StoredView> view = Optional.empty();

    @Override
    public void announce(Member member) {
        members.put(member.id(), member);
    }

    @Override
    public List<Member> members() {
        return new ArrayList<>(members.values());
    }

    @Override
    public void forget(String memberId) {
        members.remove(memberId);
    }

    @Override
    public boolean lead() {
        return true;
    }

    @Override
    public void resign() {
    }

    @Override
    public void announceLeader(LeaderInfo info) {
        leader = Optional.of(info);
    }

    @Override
    public Optional<LeaderInfo> leader() {
        return leader;
    }

    @Override
    public synchronized boolean storeView(StoredView v) {
        if (view.isPresent() && view.get().version() >= v.version()) {
            return false;
        }
        view = Optional.of(v);
        viewListeners.forEach(l -> l.accept(v));
        return true;
    }

    @Override
    public Optional<StoredView> view() {
        return view;
    }

    @Override
    public long viewVersion() {
        return view.map(StoredView::version).orElse(0L);
    }

    @Override
    public void onView(Consumer<StoredView> consumer) {
        viewListeners.add(consumer);
    }

    @Override
    public void putDocument(String name, byte[] value, Duration ttl) {
        documents.put(name, value.clone());
    }

    @Override
    public Optional<byte[]> document(String name) {
        return Optional.ofNullable(documents.get(name)).map(byte[]::clone);
    }

    @Override
    public void delivered(String channel, long version) {
        deliveries.merge(channel, version, Math::max);
    }

    @Override
    public long deliveredVersion(String channel) {
        return deliveries.getOrDefault(channel, 0L);
    }
}
