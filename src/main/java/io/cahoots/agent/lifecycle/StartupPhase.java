package io.cahoots.agent.lifecycle;

/**
 * The order in which the agent's parts start and stop, as {@code @Priority} values of their {@code StartupEvent}
 * and {@code ShutdownEvent} observers (lower runs first). One place, so that a new part finds its slot by name and
 * the reason for each slot stays next to it. Parts in the same phase do not depend on each other's order.
 */
public final class StartupPhase {

    private StartupPhase() {
    }

    /** Every settings group is built and validated before anything else runs: a bad value stops the agent here. */
    public static final int SETTINGS = 1;

    /**
     * The fleet store, lease and journal are installed into the job manager and the fleet; the topology hub starts
     * too, before the fleet's first beat and the watchers, so that no snapshot goes unseen.
     */
    public static final int COORDINATION = 50;

    /** The fleet's first beat: after the coordination, before the watchers, so they start knowing who leads. */
    public static final int FLEET = 60;

    /** The cluster watcher's first poll is scheduled. */
    public static final int CLUSTER_WATCH = 100;

    /** The Sentinel watcher subscribes and schedules its polls. */
    public static final int SENTINEL_WATCH = 110;

    /** The caching policy: after the watchers, so their first poll is already scheduled. */
    public static final int CACHING_POLICY = 120;

    /** Services that read what the watchers see: crash recovery of a journalled job, the scaling supervisor, history. */
    public static final int SERVICES = 200;

    /** What builds on those services: the views shared with the fleet, the shard autoscaler. */
    public static final int LATE_SERVICES = 210;

    /** The Redis pods supervisor (heal, join, drain): after the jobs and the fleet it drives are up. */
    public static final int POD_SUPERVISION = 220;

    /** Shutdown: the fleet leaves first (its lease released) while Redis is still there to hear it. */
    public static final int STOP_FLEET = 5;

    /** Shutdown: the Sentinel watcher stops before the embedded lab stops its Sentinels, so the log stays quiet. */
    public static final int STOP_SENTINEL_WATCH = 10;
}
