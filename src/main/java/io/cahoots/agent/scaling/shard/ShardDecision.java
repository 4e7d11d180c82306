package io.cahoots.agent.scaling.shard;

import java.time.Instant;
import java.util.Optional;

/**
 * One thing the shard policy decided, with the sentence that explains it. {@code from == to} for decisions that change
 * nothing.
 *
 * @param drain for a scale-in: the master to drain
 */
public record ShardDecision(Instant at, Kind kind, int from, int to, Optional<String> drain, String reason) {

    public enum Kind {
        /** Add one shard (a master and its replica), then rebalance. */
        SCALE_OUT("scale-out"),
        /** Drain one master after a long calm, then release it and its replica. */
        SCALE_IN("scale-in"),
        /** The last step helped (or cannot be judged): keep the count. */
        KEEP("keep"),
        /** A step was due but min/max masters is the limit. */
        AT_BOUND("at-bound"),
        /** A step was due but a job runs or the cluster is not ok: wait. */
        HELD("held"),
        /** Calm long enough, but the other masters lack the room for the drained data. */
        NO_HEADROOM("no-headroom"),
        /** The step could not be carried out. */
        STEP_FAILED("step-failed"),
        /** The masters changed outside the agent: hands off for an observation window. */
        EXTERNAL_CHANGE("external-change");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public boolean changesMasters() {
        return from != to;
    }
}
