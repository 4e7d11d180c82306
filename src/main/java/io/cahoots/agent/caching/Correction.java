package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;

import java.time.Instant;
import java.util.Optional;

/**
 * One thing enforcement changed, or would have changed and did not.
 *
 * @param setting {@code maxmemory}, {@code maxmemory-policy} or {@code ttl}
 * @param pattern for {@code ttl}: the pattern whose keys got its TTL
 * @param from    the node's value before ({@code maxmemory} in bytes); empty for {@code ttl}
 * @param to      the value set ({@code ttl}: seconds)
 * @param keys    for {@code ttl}: how many keys got it; else 0
 * @param outcome {@code applied}, {@code refused} (see {@code detail}) or {@code failed}
 */
public record Correction(Instant at, HostPort node, String setting, Optional<String> pattern, Optional<String> from,
                         String to, long keys, String outcome, String detail) {
}
