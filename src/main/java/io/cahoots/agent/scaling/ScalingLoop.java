package io.cahoots.agent.scaling;

import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.scaling.ScalingStatus.Mode;
import io.cahoots.agent.scaling.ScalingStatus.RecordedDecision;
import io.cahoots.agent.scaling.ScalingStatus.TriggerStatus;
import io.cahoots.agent.scaling.decision.Decision;
import io.cahoots.agent.scaling.decision.ScalingLimits;
import io.cahoots.agent.scaling.decision.ScalingState;
import io.cahoots.agent.scaling.decision.RedisPressure;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.ScalingPolicy;
import io.cahoots.agent.scaling.decision.Trigger;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * One evaluation of the supervisor per {@link #tick()}, run by {@link ScalingSupervisor} every
 * {@code AGENT_SCALING_INTERVAL} on its own thread. Plain Java so tests drive it with fakes and a fixed clock.
 *
 * <ol>
 *   <li>Lease: only the replica that holds it goes on; the others report {@code standby} and who leads, and forget
 *       their policy state (a leader starts with a fresh sustain window).</li>
 *   <li>Read the Deployment. The mode is dry-run when asked for, advisory when an HPA targets the Deployment or the
 *       policy found the replicas contested, otherwise active.</li>
 *   <li>Read the triggers from Prometheus and the Redis evidence from the cluster snapshot.</li>
 *   <li>Evaluate the policy. In active mode carry a change out through the {@link ReplicaTarget}; when that fails
 *       the policy's previous state is kept, so the next evaluation decides (and retries) again: retries are paced
 *       by the interval, never a tight loop.</li>
 *   <li>Log, count and keep the last {@value #KEPT_DECISIONS} decisions; publish a new {@link ScalingStatus}.</li>
 * </ol>
 */
public final class ScalingLoop {

    private static final Logger LOG = Logger.getLogger(ScalingLoop.class);
    static final int KEPT_DECISIONS = 50;
    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final ScalingSettings settings;
    private final String namespace;
    private final ReadingSource readings;
    private final ReplicaTarget target;
    private final Leadership leadership;
    private final Supplier<RedisPressure> redis;
    private final ScalingMetrics metrics;
    private final Clock clock;
    private final ScalingPolicy policy;

    private ScalingState state = ScalingState.INITIAL;
    private final Deque<RecordedDecision> decisions = new ArrayDeque<>();
    private String lastFailure;
    private volatile ScalingStatus status;

    public ScalingLoop(ScalingSettings settings, String namespace, ReadingSource readings, ReplicaTarget target,
                       Leadership leadership, Supplier<RedisPressure> redis, ScalingMetrics metrics, Clock clock) {
        this.settings = settings;
        this.namespace = namespace;
        this.readings = readings;
        this.target = target;
        this.leadership = leadership;
        this.redis = redis;
        this.metrics = metrics;
        this.clock = clock;
        this.policy = new ScalingPolicy(ScalingLimits.from(settings));
        this.status = base(Mode.STANDBY, "not evaluated yet", OptionalInt.empty(), OptionalInt.empty(), "starting",
                List.of(), List.of(), Optional.empty(), Optional.empty());
    }

    public ScalingStatus status() {
        return status;
    }

    /** Never throws: the schedule must survive anything one evaluation meets. */
    public synchronized ScalingStatus tick() {
        try {
            status = evaluate();
        } catch (RuntimeException e) {
            LOG.error("scaling evaluation failed", e);
            status = withError(status, "evaluation failed: " + e);
        }
        return status;
    }

    private ScalingStatus evaluate() {
        Instant now = clock.instant();
        if (!leadership.lead()) {
            // Whoever leads meanwhile changes the count; on regaining the lease this replica must start afresh, not
            // mistake those changes for someone else's.
            state = ScalingState.INITIAL;
            metrics.onRole(false, false);
            return base(Mode.STANDBY, "another agent replica holds the scaling lease and acts: "
                            + leadership.holder().orElse("unknown"), OptionalInt.empty(), OptionalInt.empty(), "standby",
                    List.of(), List.of(), Optional.of(now), Optional.empty());
        }
        ReplicaTarget.State deployment;
        try {
            deployment = target.read();
        } catch (ScalingException e) {
            if (!e.getMessage().equals(lastFailure)) {
                LOG.warnf("scaling: %s", e.getMessage());
                lastFailure = e.getMessage();
            }
            metrics.onRole(true, false);
            return withError(status, e.getMessage());
        }
        Mode mode = settings.dryRun() ? Mode.DRY_RUN : Mode.ACTIVE;
        String reason = settings.dryRun() ? "AGENT_SCALING_DRY_RUN=true: deciding and reporting, never patching"
                : "this agent replica holds the scaling lease and patches " + target.describe();
        if (deployment.handsOff().isPresent()) {
            mode = Mode.ADVISORY;
            reason = deployment.handsOff().get();
        } else if (state.contested(now)) {
            mode = Mode.ADVISORY;
            reason = "replicas were changed outside the agent " + state.recentExternalChanges(now).size()
                    + " times within " + ScalingPolicy.human(ScalingPolicy.CONTEST_WINDOW) + ": advising only until "
                    + state.contestedUntil(now).map(HHMMSS::format).orElse("?");
        }
        Sample sample = readings.read();
        RedisPressure pressure = redis.get();
        ScalingPolicy.Evaluation e = policy.evaluate(state,
                new ScalingPolicy.Observation(sample, deployment.replicas(), pressure, mode == Mode.ACTIVE));
        ScalingState next = e.state();
        int current = deployment.replicas();
        boolean failed = false;
        for (Decision d : e.decisions()) {
            boolean applied = false;
            Optional<String> failure = Optional.empty();
            if (mode == Mode.ACTIVE && d.changesReplicas()
                    && (d.kind() == Decision.Kind.SCALE_UP || d.kind() == Decision.Kind.SCALE_DOWN)) {
                try {
                    target.scale(d.from(), d.to());
                    applied = true;
                    current = d.to();
                } catch (ScalingException ex) {
                    // Keep the previous state: the next evaluation sees the same runs and decides again.
                    next = state;
                    failure = Optional.of(ex.getMessage());
                    failed = true;
                    metrics.onScaleFailure();
                }
            }
            record(d, mode, applied, failure);
        }
        state = next;
        if (!failed) {
            lastFailure = null;
        }
        Map<Trigger, Boolean> above = new EnumMap<>(Trigger.class);
        for (Trigger t : Trigger.values()) {
            above.put(t, sample.value(t).isPresent() && sample.value(t).getAsDouble() > policy.limits().threshold(t));
        }
        int desired = desired(current);
        metrics.onSample(sample, above);
        metrics.onReplicas(current, desired);
        metrics.onRole(true, mode == Mode.ACTIVE);
        return base(mode, reason, OptionalInt.of(current), OptionalInt.of(desired), phase(now), triggers(sample, now),
                pressure.evidence(), Optional.of(now), Optional.empty());
    }

    private void record(Decision d, Mode mode, boolean applied, Optional<String> failure) {
        if (failure.isPresent() && failure.get().equals(lastFailure)) {
            return; // the same failure again at the next evaluation: counted, not logged twice
        }
        String note = failure.map(f -> " [" + mode.wire() + ", FAILED: " + f + "; retrying at the next evaluation]")
                .orElse(d.changesReplicas() && !applied ? " [" + mode.wire() + ": not applied]" : "");
        if (failure.isPresent()) {
            lastFailure = failure.get();
            LOG.warnf("scaling %s: %s%s", d.kind().wire(), d.reason(), note);
        } else {
            LOG.infof("scaling %s: %s%s", d.kind().wire(), d.reason(), note);
        }
        metrics.onDecision(d, applied);
        decisions.addFirst(new RecordedDecision(d, mode, applied, failure));
        while (decisions.size() > KEPT_DECISIONS) {
            decisions.removeLast();
        }
    }

    /** What the policy wants now: the target of the change being observed, otherwise the current count. */
    private int desired(int current) {
        return state.observing()
                .filter(w -> w.cause() != ScalingState.Cause.EXTERNAL_CHANGE)
                .map(ScalingState.Observing::to)
                .orElse(current);
    }

    private String phase(Instant now) {
        if (state.lastSeen().isPresent() && state.lastSeen().getAsInt() == 0) {
            return "paused (0 replicas)";
        }
        return state.observing().map(w -> switch (w.cause()) {
            case SCALED_UP, SCALED_DOWN -> "observing " + w.from() + " -> " + w.to() + " until " + HHMMSS.format(w.until());
            case EXTERNAL_CHANGE -> "hands off after an outside change " + w.from() + " -> " + w.to() + " until "
                    + HHMMSS.format(w.until());
        }).orElse("steady");
    }

    private List<TriggerStatus> triggers(Sample sample, Instant now) {
        List<TriggerStatus> out = new ArrayList<>();
        for (Trigger t : Trigger.values()) {
            double threshold = policy.limits().threshold(t);
            Optional<Instant> since = state.run(t).breachingSince();
            String text;
            if (sample.value(t).isEmpty()) {
                text = "no reading: " + sample.missingReason(t).orElse("missing");
            } else if (since.isPresent() && sample.value(t).getAsDouble() > threshold) {
                Instant fires = since.get().plus(policy.limits().sustain());
                text = "breaching since " + HHMMSS.format(since.get())
                        + (now.isBefore(fires) ? " (fires at " + HHMMSS.format(fires) + ")" : " (held " + ScalingPolicy.human(
                        policy.limits().sustain()) + ")");
            } else {
                text = "ok";
            }
            out.add(new TriggerStatus(t, threshold, sample.value(t), sample.missingReason(t), since, text));
        }
        return out;
    }

    private ScalingStatus base(Mode mode, String reason, OptionalInt current, OptionalInt desired, String phase,
                               List<TriggerStatus> triggers, List<String> evidence, Optional<Instant> at, Optional<String> error) {
        return new ScalingStatus(mode, reason, leadership.identity(), leadership.holder(), namespace, settings.deployment(),
                current, desired, settings.minReplicas(), settings.maxReplicas(), settings.step(), phase, triggers, evidence,
                List.copyOf(decisions), at, error);
    }

    private ScalingStatus withError(ScalingStatus s, String error) {
        return new ScalingStatus(s.mode(), s.modeReason(), s.identity(), s.leaseHolder(), s.namespace(), s.deployment(),
                s.currentReplicas(), s.desiredReplicas(), s.minReplicas(), s.maxReplicas(), s.step(), s.phase(), s.triggers(),
                s.redisEvidence(), List.copyOf(decisions), Optional.of(clock.instant()), Optional.of(error));
    }
}
