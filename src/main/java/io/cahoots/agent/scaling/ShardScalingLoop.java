package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.config.RedisScalingSettings;
import io.cahoots.agent.scaling.ShardScalingStatus.RecordedDecision;
import io.cahoots.agent.scaling.ShardScalingStatus.TriggerStatus;
import io.cahoots.agent.scaling.shard.ShardDecision;
import io.cahoots.agent.scaling.shard.ShardLimits;
import io.cahoots.agent.scaling.shard.ShardPolicy;
import io.cahoots.agent.scaling.shard.ShardSample;
import io.cahoots.agent.scaling.shard.ShardState;
import io.cahoots.agent.scaling.shard.ShardTrigger;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One evaluation of the shard autoscaler per {@link #tick()}.
 *
 * <ol>
 *   <li>Only the fleet's leader goes on; a follower reports {@code standby} and forgets its state (a new leader starts
 *       the policy afresh, as a restarted agent does).</li>
 *   <li>A step that ended since the last tick: a failure is handed to the policy ({@link ShardPolicy#stepFailed}), so
 *       a new attempt needs a full sustain window.</li>
 *   <li>Read: the latest snapshot feeds the recent-latency window and becomes a {@link ShardSample}; a job of anyone,
 *       or this loop's own step in flight, counts as a running job.</li>
 *   <li>Evaluate; in active mode a step runs on the {@code actions} executor (its jobs take minutes), never on this
 *       thread, so the status stays current while it runs.</li>
 *   <li>Log every decision with its reason, count it, keep the last {@value #KEPT_DECISIONS}.</li>
 * </ol>
 */
public final class ShardScalingLoop {

    private static final Logger LOG = Logger.getLogger(ShardScalingLoop.class);
    static final int KEPT_DECISIONS = 50;
    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final RedisScalingSettings settings;
    private final ShardPolicy policy;
    private final Supplier<Optional<ClusterSnapshot>> snapshots;
    private final BooleanSupplier leader;
    private final BooleanSupplier otherJobRunning;
    private final Optional<ShardNodeSource> actions;
    private final ExecutorService stepRunner;
    private final ScalingMetrics metrics;
    private final Clock clock;
    private final RecentLatency recent;

    private ShardState state = ShardState.INITIAL;
    private Future<String> step;
    private final Deque<RecordedDecision> decisions = new ArrayDeque<>();
    private volatile ShardScalingStatus status;

    public ShardScalingLoop(RedisScalingSettings settings, Supplier<Optional<ClusterSnapshot>> snapshots, BooleanSupplier leader,
                            BooleanSupplier otherJobRunning, Optional<ShardNodeSource> actions, ExecutorService stepRunner,
                            ScalingMetrics metrics, Clock clock) {
        this.settings = settings;
        this.policy = new ShardPolicy(new ShardLimits(settings.minMasters(), settings.maxMasters(), settings.memoryPercent(),
                settings.opsPerSecond(), settings.latencyMs(), settings.sustain(), settings.observe(), settings.scaleInAfter()));
        this.snapshots = snapshots;
        this.leader = leader;
        this.otherJobRunning = otherJobRunning;
        this.actions = actions;
        this.stepRunner = stepRunner;
        this.metrics = metrics;
        this.clock = clock;
        this.recent = new RecentLatency(settings.interval());
        this.status = ShardScalingStatus.off("not evaluated yet", nodeSource(), source(Optional.empty()), settings.minMasters(),
                settings.maxMasters());
    }

    public ShardScalingStatus status() {
        return status;
    }

    /** Never throws: the schedule must survive anything one evaluation meets. */
    public synchronized ShardScalingStatus tick() {
        try {
            status = evaluate();
        } catch (RuntimeException e) {
            LOG.error("redis shard scaling evaluation failed", e);
            status = new ShardScalingStatus(status.mode(), status.modeReason(), status.nodeSource(), status.source(), status.masters(),
                    status.minMasters(), status.maxMasters(), status.phase(), status.triggers(), status.decisions(),
                    Optional.of(clock.instant()), Optional.of("evaluation failed: " + e));
        }
        return status;
    }

    private ShardScalingStatus evaluate() {
        Instant now = clock.instant();
        Optional<ClusterSnapshot> snapshot = snapshots.get();
        if (!leader.getAsBoolean()) {
            state = ShardState.INITIAL;
            return withState("standby", "another sidecar leads the fleet and runs the shard autoscaler", snapshot,
                    OptionalInt.empty(), List.of(), now);
        }
        collectStep(now);
        if (snapshot.isEmpty()) {
            return withState(mode(), modeReason(), snapshot, OptionalInt.empty(), List.of(), now);
        }
        recent.record(snapshot.get());
        boolean stepping = step != null;
        boolean jobRunning = stepping || otherJobRunning.getAsBoolean();
        ShardSample sample = actions.map(a -> a.sample(snapshot.get(), recent, jobRunning))
                .orElseGet(() -> ShardSample.of(snapshot.get(), recent, jobRunning, Set.of()));
        boolean acting = mode().equals("active");
        ShardPolicy.Evaluation e = policy.evaluate(state, sample, acting);
        state = e.state();
        for (ShardDecision d : e.decisions()) {
            boolean starts = acting && e.step().filter(d::equals).isPresent();
            if (starts) {
                startStep(d);
            }
            record(d, starts, Optional.empty());
        }
        return withState(mode(), modeReason(), snapshot, OptionalInt.of(sample.masters()), triggers(sample), now);
    }

    private void startStep(ShardDecision d) {
        ShardNodeSource a = actions.orElseThrow();
        step = stepRunner.submit(() -> d.kind() == ShardDecision.Kind.SCALE_OUT ? a.scaleOut() : a.scaleIn(d.drain().orElseThrow()));
    }

    private void collectStep(Instant now) {
        if (step == null || !step.isDone()) {
            return;
        }
        Future<String> done = step;
        step = null;
        try {
            LOG.infof("redis shard step done [nodes from %s]: %s", nodeSource(), done.get());
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            if (state.stepping().isPresent()) {
                ShardPolicy.Evaluation f = policy.stepFailed(state, now, why);
                state = f.state();
                f.decisions().forEach(d -> record(d, false, Optional.of(why)));
            }
        }
    }

    private void record(ShardDecision d, boolean applied, Optional<String> outcome) {
        String how = applied ? "" : d.changesMasters() ? " [" + mode() + ": not applied]" : "";
        if (d.kind() == ShardDecision.Kind.STEP_FAILED) {
            LOG.warnf("redis scaling %s [nodes from %s]: %s", d.kind().wire(), nodeSource(), d.reason());
        } else {
            LOG.infof("redis scaling %s [nodes from %s]: %s%s", d.kind().wire(), nodeSource(), d.reason(), how);
        }
        metrics.onShardDecision(d.kind().wire(), applied);
        decisions.addFirst(new RecordedDecision(d, mode(), applied, outcome));
        while (decisions.size() > KEPT_DECISIONS) {
            decisions.removeLast();
        }
    }

    private String mode() {
        if (settings.dryRun()) {
            return "dry-run";
        }
        return actions.isEmpty() || actions.get().unavailable().isPresent() ? "advisory" : "active";
    }

    private String modeReason() {
        return switch (mode()) {
            case "dry-run" -> "AGENT_REDIS_SCALING_DRY_RUN=true: deciding and reporting, never changing the cluster";
            case "advisory" -> actions.flatMap(ShardNodeSource::unavailable).orElse("no node source: set"
                    + " AGENT_REDIS_SCALING_SPARE_NODES (host:port,...), or on Kubernetes AGENT_KUBE_REDIS_SELECTOR, for the agent to act");
            default -> "this sidecar leads the fleet and adds or drains shards itself";
        };
    }

    private String source(Optional<ClusterSnapshot> s) {
        return actions.map(a -> a.describe(s)).orElse("none: AGENT_REDIS_SCALING_SPARE_NODES is unset and no StatefulSet");
    }

    /** {@code spare-pool}, {@code statefulset <name>} or {@code none}. */
    private String nodeSource() {
        return actions.map(ShardNodeSource::name).orElse("none");
    }

    private List<TriggerStatus> triggers(ShardSample sample) {
        List<TriggerStatus> out = new ArrayList<>();
        for (ShardTrigger t : ShardTrigger.values()) {
            Optional<Double> v = sample.value(t).isPresent() ? Optional.of(sample.value(t).getAsDouble()) : Optional.empty();
            double threshold = policy.limits().threshold(t);
            metrics.onShardReading(t.wire(), v.orElse(Double.NaN));
            String runState = v.isEmpty() ? "no reading: " + sample.missing().getOrDefault(t, "missing")
                    : state.run(t).breachingSince().map(since -> "breaching since " + HHMMSS.format(since)
                    + " (fires at " + HHMMSS.format(since.plus(settings.sustain())) + ")").orElse("ok");
            out.add(new TriggerStatus(t.wire(), threshold, v, Optional.ofNullable(sample.missing().get(t)), runState));
        }
        return out;
    }

    private ShardScalingStatus withState(String mode, String reason, Optional<ClusterSnapshot> s, OptionalInt masters,
                                         List<TriggerStatus> triggers, Instant now) {
        String phase = state.stepping().map(st -> "stepping " + st.kind().wire() + " " + st.from() + " -> " + st.to()
                        + " since " + HHMMSS.format(st.since()))
                .or(() -> state.observing().map(o -> "observing " + o.step().from() + " -> " + o.step().to() + " until "
                        + HHMMSS.format(o.until())))
                .orElse(mode.equals("standby") ? "standby" : "steady");
        masters.ifPresent(metrics::onShardMasters);
        return new ShardScalingStatus(mode, reason, nodeSource(), source(s), masters, settings.minMasters(), settings.maxMasters(), phase,
                triggers, List.copyOf(decisions), Optional.of(now), Optional.empty());
    }
}
