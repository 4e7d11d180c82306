package io.cahoots.agent.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the sidecars of one fleet share, kept in the Redis they watch (the cluster; with only Sentinel, its primary):
 * the member list, the leader's lock, the numbered topology view, and documents the leader computes for everyone (the
 * cluster snapshot, the policy report, the scaling status). Implemented by {@code redis/RedissonFleetStore}; the
 * {@link LocalFleetStore} serves a single agent with no Redis to share and the unit tests.
 *
 * <p>Every method may throw a {@code RedisException} when the store cannot be reached; callers treat that as "not
 * known now" and try again on their next beat.
 */
public interface FleetStore {

    /** Writes (or refreshes) this member's entry. */
    void announce(Member member);

    /** Every entry, fresh or not; {@link #forget} removes the ones that stopped beating. */
    List<Member> members();

    void forget(String memberId);

    /**
     * Takes the leader's lease when nobody holds it, or renews it when this process does. The lease expires a fixed
     * time after its last renewal (its holder died), so that another member can take over.
     *
     * @return true while this process holds it
     */
    boolean lead();

    /** Gives the lead up (on shutdown), so that another member takes over at once. */
    void resign();

    void announceLeader(LeaderInfo leader);

    Optional<LeaderInfo> leader();

    /**
     * Stores a view unless the store already holds this version or a newer one (a deposed leader that has not noticed
     * yet can never make the fleet's view go back), and tells every member about it.
     *
     * @return true when stored
     */
    boolean storeView(StoredView view);

    Optional<StoredView> view();

    /** Only the version, cheaply, to notice a missed announcement. */
    long viewVersion();

    /** Calls the consumer with every view stored from now on (by any member), on a store thread. */
    void onView(Consumer<StoredView> consumer);

    /** A document the leader shares with the fleet (opaque bytes), kept at most {@code ttl}. */
    void putDocument(String name, byte[] value, Duration ttl);

    Optional<byte[]> document(String name);

    /** The last view version a leader delivered on a push channel (a webhook URL, pub/sub), so a successor resumes. */
    void delivered(String channel, long version);

    long deliveredVersion(String channel);
}
