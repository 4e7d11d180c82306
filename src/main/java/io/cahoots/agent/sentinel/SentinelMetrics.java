package io.cahoots.agent.sentinel;

import io.cahoots.agent.metrics.GaugeRows;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Names every Sentinel meter. Tags are bounded: {@code master} by the watched names, {@code sentinel} by the
 * Sentinel group.
 */
@Singleton
public class SentinelMetrics {

    static final String PREFIX = "cahoots.sentinel.";

    private final MeterRegistry registry;
    private final GaugeRows reachable;
    private final GaugeRows subscribed;
    private final GaugeRows quorum;
    private final GaugeRows agreeing;
    private final Timer confirmation;
    private final Counter events;

    public SentinelMetrics(MeterRegistry registry) {
        this.registry = registry;
        reachable = new GaugeRows(MultiGauge.builder(PREFIX + "reachable")
                .description("1 when the Sentinel answered the last poll").register(registry));
        subscribed = new GaugeRows(MultiGauge.builder(PREFIX + "subscribed")
                .description("1 while the agent's PSUBSCRIBE on the Sentinel is open").register(registry));
        quorum = new GaugeRows(MultiGauge.builder(PREFIX + "quorum.reachable")
                .description("1 when SENTINEL CKQUORUM says the quorum and the failover majority can be reached").register(registry));
        agreeing = new GaugeRows(MultiGauge.builder(PREFIX + "agreeing")
                .description("Sentinels that name the master address the agent believes").register(registry));
        confirmation = Timer.builder(PREFIX + "confirmation.duration")
                .description("Time to confirm or reject an announced master switch (ROLE + Sentinel majority)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry);
        events = Counter.builder(PREFIX + "events").description("Messages received from Sentinels' pub/sub")
                .register(registry);
    }

    public void onView(SentinelView view) {
        Map<Tags, Integer> reach = new HashMap<>();
        Map<Tags, Integer> sub = new HashMap<>();
        for (SentinelView.SentinelStatus s : view.sentinels()) {
            Tags tags = Tags.of("sentinel", s.address().toString());
            reach.put(tags, s.reachable() ? 1 : 0);
            sub.put(tags, s.subscribed() ? 1 : 0);
        }
        reachable.set(reach);
        subscribed.set(sub);
        Map<Tags, Number> q = new HashMap<>();
        Map<Tags, Number> a = new HashMap<>();
        view.masters().forEach((name, m) -> {
            failovers(name); // registered at first sight, so a rate() has a zero to start from
            rejections(name);
            q.put(Tags.of("master", name), m.quorumReachable() ? 1 : 0);
            a.put(Tags.of("master", name), m.sentinelsAgreeing());
        });
        quorum.set(q);
        agreeing.set(a);
    }

    public void failover(String master) {
        failovers(master).increment();
    }

    /** A switch claim that failed confirmation: a stale or forged message, or one the Sentinels never backed. */
    public void rejected(String master) {
        rejections(master).increment();
    }

    private Counter failovers(String master) {
        return Counter.builder(PREFIX + "failovers").description("Master switches the agent confirmed")
                .tag("master", master).register(registry);
    }

    private Counter rejections(String master) {
        return Counter.builder(PREFIX + "switches.rejected").description("Announced master switches the agent did not believe")
                .tag("master", master).register(registry);
    }

    public void event() {
        events.increment();
    }

    public void confirmation(Duration took) {
        confirmation.record(took);
    }
}
