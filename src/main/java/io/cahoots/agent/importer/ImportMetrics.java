package io.cahoots.agent.importer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Names every import meter; no tags (one import at a time). They read the running import's status, 0 without one. */
@Singleton
public class ImportMetrics {

    static final String PREFIX = "cahoots.import.";

    private volatile Optional<ImportStatus> current = Optional.empty();

    public ImportMetrics(MeterRegistry registry) {
        gauge(registry, "keys.copied", "Keys the running import copied to the cluster (RESTOREs)", s -> s.keysCopied.get());
        gauge(registry, "changes.pending", "Keys changed on the source and not yet copied again", s -> s.changesPending);
        gauge(registry, "lag.seconds", "Age of the oldest change not yet copied", s -> s.lagSeconds);
        gauge(registry, "phase", "Phase of the running import: 0 none, 1 preparing, 2 copying, 3 following, 4 grace, "
                + "5 verifying", s -> s.phase.ordinal() < ImportStatus.Phase.DONE.ordinal() ? s.phase.ordinal() + 1 : 0);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<ImportStatus> read) {
        Gauge.builder(PREFIX + name, this, m -> m.current.map(read::applyAsDouble).orElse(0.0))
                .description(help).register(registry);
    }

    void running(ImportStatus status) {
        current = Optional.ofNullable(status);
    }
}
