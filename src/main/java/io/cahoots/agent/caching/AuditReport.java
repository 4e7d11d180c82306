package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the TTL audit knows about one master: per pattern, where its SCAN stands and what it found. Immutable.
 *
 * @param error       why the last cycle could not finish on this node (it resumes from the same cursors)
 * @param lastCycleAt when a cycle last reached this node
 */
public record AuditReport(HostPort address, String group, Optional<String> error, Optional<Instant> lastCycleAt,
                          List<PatternReport> patterns) {

    public AuditReport {
        patterns = List.copyOf(patterns);
    }

    /**
     * @param cursor   where the next cycle resumes; "0" between passes
     * @param passes   complete passes over the node's keyspace
     * @param current  the pass in progress
     * @param lastPass the last complete pass, once there is one
     * @param total    everything since the agent started
     */
    public record PatternReport(String pattern, long ttlSeconds, String cursor, long passes, PassCounts current,
                                Optional<PassCounts> lastPass, PassCounts total) {
    }

    /**
     * @param examined   keys SCAN was asked to examine (the sum of its COUNTs): the budget spent
     * @param returned   keys SCAN returned that match the pattern; each got one TTL
     * @param withoutTtl keys that never expire
     * @param beyondTtl  keys that expire later than the pattern allows
     * @param corrected  of those, keys given the pattern's TTL (enforcement on)
     * @param examples   the first few offenders of the pass, for a person to look at
     */
    public record PassCounts(Instant startedAt, Optional<Instant> completedAt, long examined, long returned,
                             long withoutTtl, long beyondTtl, long corrected, List<Example> examples) {

        public PassCounts {
            examples = List.copyOf(examples);
        }
    }

    /** @param ttl the TTL reply when found: -1 for none, else seconds */
    public record Example(String key, long ttl) {
    }
}
