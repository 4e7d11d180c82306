package io.cahoots.agent.scaling.decision;

import java.time.Instant;

/**
 * One thing the policy decided, with the sentence that explains it. {@code from == to} for decisions that
 * change nothing (keep, at a bound, a Redis bottleneck, an outside change noticed).
 */
public record Decision(Instant at, Kind kind, int from, int to, String reason) {

    public enum Kind {
        /** Add replicas: a trigger held, or the last step did not help. */
        SCALE_UP("scale-up"),
        /** Remove replicas after a long calm. */
        SCALE_DOWN("scale-down"),
        /** The last change helped (or cannot be judged): keep the count. */
        KEEP("keep"),
        /** A step was due but min/max is the limit. */
        AT_BOUND("at-bound"),
        /** Latency without API saturation, and Redis shows why: no API pods added. */
        REDIS_BOTTLENECK("redis-bottleneck"),
        /** Someone else changed the replicas: hands off for an observation window. */
        EXTERNAL_CHANGE("external-change"),
        /** The Deployment is scaled to zero: someone paused it, the agent does not resume it. */
        PAUSED("paused");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        /** The name in the API, metrics tags and logs. */
        public String wire() {
            return wire;
        }
    }

    public boolean changesReplicas() {
        return from != to;
    }
}
