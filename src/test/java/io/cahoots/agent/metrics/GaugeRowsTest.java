package io.cahoots.agent.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class GaugeRowsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GaugeRows rows = new GaugeRows(MultiGauge.builder("cahoots.test").register(registry));
    private final Tags a = Tags.of("node", "a");
    private final Tags b = Tags.of("node", "b");

    @Test
    void aSeriesKeepsItsMeterAcrossUpdatesAndReadsTheNewValue() {
        rows.set(Map.of(a, 1, b, 2));
        Gauge before = registry.get("cahoots.test").tags(a).gauge();

        rows.set(Map.of(a, 5, b, 7));

        // The very same meter: it never left the registry, so no scrape can miss it.
        assertThat(registry.get("cahoots.test").tags(a).gauge()).isSameAs(before);
        assertThat(values()).isEqualTo(Map.of("a", 5.0, "b", 7.0));
    }

    @Test
    void aSeriesThatIsNoLongerReportedGoesAndOneThatComesBackReadsItsNewValue() {
        rows.set(Map.of(a, 1, b, 2));
        rows.set(Map.of(a, 3));
        assertThat(values()).isEqualTo(Map.of("a", 3.0));

        rows.set(Map.of(a, 4, b, 9));
        assertThat(values()).isEqualTo(Map.of("a", 4.0, "b", 9.0));
    }

    @Test
    void noScrapeDuringUpdatesEverMissesASeries() throws Exception {
        rows.set(Map.of(a, 0, b, 0));
        AtomicBoolean done = new AtomicBoolean();
        Thread updater = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                rows.set(Map.of(a, i, b, -i));
            }
            done.set(true);
        });
        updater.start();
        int scrapes = 0;
        while (!done.get()) {
            assertThat(registry.find("cahoots.test").gauges()).hasSize(2);
            scrapes++;
        }
        updater.join();
        assertThat(scrapes).isPositive();
    }

    private Map<String, Double> values() {
        return registry.find("cahoots.test").gauges().stream()
                .collect(Collectors.toMap(g -> g.getId().getTag("node"), Gauge::value));
    }
}
