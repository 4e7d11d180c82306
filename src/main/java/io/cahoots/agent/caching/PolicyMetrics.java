package io.cahoots.agent.caching;

import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.PolicySettings.TtlPattern;
import io.cahoots.agent.metrics.GaugeRows;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names every meter of the Redis policy ({@code cahoots.policy.*}). Tags are bounded: {@code address} and
 * {@code group} by the fleet's size, {@code pattern} by {@code AGENT_POLICY_TTL_PATTERNS}, {@code setting},
 * {@code kind} and {@code outcome} by a handful of words. Key names are never tags. Counters are registered at
 * start, so a {@code rate()} or {@code increase()} has a zero to start from.
 */
@Singleton
public class PolicyMetrics {

    static final String PREFIX = "cahoots.policy.";
    static final List<String> SETTINGS = List.of(MemoryDrift.MAXMEMORY, MemoryDrift.MAXMEMORY_POLICY, "ttl");
    static final List<String> OUTCOMES = List.of("applied", "refused", "failed");

    private final MeterRegistry registry;
    private final GaugeRows drift;
    private final AtomicLong nodesDrifting = new AtomicLong();
    private final AtomicLong nodesUnreadable = new AtomicLong();
    private final Timer cycle;

    public PolicyMetrics(MeterRegistry registry, PolicySettings settings) {
        this.registry = registry;
        drift = new GaugeRows(MultiGauge.builder(PREFIX + "memory.drift")
                .description("1 when the node's setting differs from AGENT_POLICY_MAXMEMORY / _MAXMEMORY_POLICY").register(registry));
        Gauge.builder(PREFIX + "memory.drift.nodes", nodesDrifting, AtomicLong::doubleValue)
                .description("Data nodes whose maxmemory or maxmemory-policy differs from the settings").register(registry);
        Gauge.builder(PREFIX + "memory.unreadable.nodes", nodesUnreadable, AtomicLong::doubleValue)
                .description("Data nodes whose memory settings could not be read in the last check").register(registry);
        Gauge.builder(PREFIX + "enforce", () -> settings.enforce() ? 1 : 0)
                .description("1 when AGENT_POLICY_ENFORCE=true: drift is corrected, not only reported").register(registry);
        cycle = Timer.builder(PREFIX + "audit.cycle.duration").description("Time of one TTL audit cycle over every master")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10))
                .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5))
                .register(registry);
        for (String setting : SETTINGS) {
            for (String outcome : OUTCOMES) {
                corrections(setting, outcome);
            }
        }
        for (TtlPattern p : settings.ttlPatterns()) {
            examined(p.pattern());
            passes(p.pattern());
            violations(p.pattern(), TtlVerdict.NO_TTL);
            violations(p.pattern(), TtlVerdict.BEYOND);
        }
    }

    /**
     * The latest memory check of every data node (cluster and Sentinel groups together). Synchronized: the cluster
     * poll thread and the policy thread both report, and the gauge rows must be replaced as one.
     */
    public synchronized void onChecks(List<MemoryDrift.NodeCheck> checks) {
        Map<Tags, Integer> rows = new HashMap<>();
        long drifting = 0;
        long unreadable = 0;
        for (MemoryDrift.NodeCheck c : checks) {
            if (!c.readable()) {
                unreadable++;
                continue;
            }
            drifting += c.drifted().isEmpty() ? 0 : 1;
            for (String setting : List.of(MemoryDrift.MAXMEMORY, MemoryDrift.MAXMEMORY_POLICY)) {
                rows.put(Tags.of("address", c.node().address().toString(), "group", c.node().group(), "setting", setting),
                        c.drifted().contains(setting) ? 1 : 0);
            }
        }
        drift.set(rows);
        nodesDrifting.set(drifting);
        nodesUnreadable.set(unreadable);
    }

    /** @param setting {@code maxmemory}, {@code maxmemory-policy} or {@code ttl} (one count per key) */
    public void correction(String setting, String outcome, long count) {
        corrections(setting, outcome).increment(count);
    }

    public void page(String pattern, int count) {
        examined(pattern).increment(count);
    }

    public void violation(String pattern, TtlVerdict verdict) {
        violations(pattern, verdict).increment();
    }

    public void passComplete(String pattern) {
        passes(pattern).increment();
    }

    public void cycle(Duration took) {
        cycle.record(took);
    }

    private Counter corrections(String setting, String outcome) {
        return Counter.builder(PREFIX + "corrections").description("Corrections of drift, by setting and outcome")
                .tag("setting", setting).tag("outcome", outcome).register(registry);
    }

    private Counter examined(String pattern) {
        return Counter.builder(PREFIX + "audit.keys.examined").description("Keys the TTL audit asked SCAN to examine")
                .tag("pattern", pattern).register(registry);
    }

    private Counter passes(String pattern) {
        return Counter.builder(PREFIX + "audit.passes").description("Complete SCAN passes of the TTL audit over a master")
                .tag("pattern", pattern).register(registry);
    }

    private Counter violations(String pattern, TtlVerdict verdict) {
        return Counter.builder(PREFIX + "ttl.violations").description("Keys found without TTL or with a TTL beyond the pattern's")
                .tag("pattern", pattern).tag("kind", verdict == TtlVerdict.NO_TTL ? "no-ttl" : "beyond-ttl").register(registry);
    }
}
