package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.ImportSettings;
import io.cahoots.agent.executor.BadRequestException;
import io.cahoots.agent.executor.UnknownJobException;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobRecord;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.sentinel.SentinelView;
import io.cahoots.agent.sentinel.SentinelWatcher;
import io.cahoots.agent.topology.TopologyHub;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Imports as the API offers them ({@code POST /cluster/import}, {@code POST /jobs/{id}/cutover}).
 *
 * <ol>
 *   <li>Source: a Sentinel master name the agent watches (its primary follows confirmed switches), or an address
 *       (followed as a Sentinel group when it is a watched primary, else alone). It must not be a cluster node.</li>
 *   <li>Dry run: SCAN the source with TYPE and MEMORY USAGE of every key ({@link DryRun}), each target master's
 *       memory figures; nothing is written.</li>
 *   <li>Run: the same room check from the source's dataset size split by each master's share of the slots (the
 *       slot function spreads keys evenly), 409 when a master lacks room; then a job of type {@code import} through
 *       the {@link JobManager} (one mutating job at a time) that runs an {@link ImportRun}.</li>
 *   <li>Cutover: handed to the run of that job, which refuses (409) until its full copy is done.</li>
 * </ol>
 */
@ApplicationScoped
public class ImportService {

    public static final String JOB_TYPE = "import";
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ImportService.class);
    private static final int DRY_RUN_BATCH = 1000;

    private final ClusterWatch cluster;
    private final SentinelWatcher sentinel;
    private final JobManager jobs;
    private final ImportCommands redis;
    private final ImportSettings settings;
    private final TopologyHub hub;
    private final ImportMetrics metrics;
    private final Clock clock;
    private final Map<String, ImportRun> runs = new ConcurrentHashMap<>();

    public ImportService(ClusterWatch cluster, SentinelWatcher sentinel, JobManager jobs, ImportCommands redis,
                         ImportSettings settings, TopologyHub hub, ImportMetrics metrics, Clock clock) {
        this.cluster = cluster;
        this.sentinel = sentinel;
        this.jobs = jobs;
        this.redis = redis;
        this.settings = settings;
        this.hub = hub;
        this.metrics = metrics;
        this.clock = clock;
    }

    static final String CUTOVER = "cutover";

    public boolean enabled() {
        return cluster.enabled();
    }

    public DryRun.Report dryRun(String sourceText) {
        SourceGroup source = resolve(sourceText);
        ClusterSnapshot snapshot = cluster.refresh();
        SlotOwners owners = requireOwners(snapshot);
        DryRun dry = new DryRun(owners, targetMemory(owners));
        HostPort primary = source.primary();
        String cursor = "0";
        do {
            ImportCommands.ScanPage page = redis.scan(primary, cursor, DRY_RUN_BATCH);
            for (ImportCommands.KeyInfo k : redis.inspect(primary, page.keys())) {
                dry.add(k.key(), k.type(), k.bytes());
            }
            cursor = page.cursor();
        } while (!"0".equals(cursor));
        return dry.report(source.name() + " (" + primary + ")", otherDatabases(primary), targetKeys(owners));
    }

    public Job start(String sourceText, boolean autoCutover) {
        jobs.requireIdle();
        SourceGroup source = resolve(sourceText);
        ClusterSnapshot snapshot = cluster.refresh();
        SlotOwners owners = requireOwners(snapshot);
        HostPort primary = source.primary();
        requireRoom(snapshot, owners, primary);
        long keys = dbsize(primary);
        AtomicReference<SlotOwners> current = new AtomicReference<>(owners);
        ImportRun run = new ImportRun(redis, source, current::get,
                () -> current.set(SlotOwners.of(cluster.refresh())), settings,
                (name, retired) -> hub.announceClusterEnabled(name, retired).version(), autoCutover, clock);
        String description = "import " + source.name() + " (" + primary + ", ~" + keys + " keys) into the cluster"
                + (autoCutover ? ", cutting over automatically" : "");
        Job job = jobs.start(JOB_TYPE, description, j -> {
            j.plan(0, keys);
            j.result(run.status);
            metrics.running(run.status);
            try {
                run.run(j);
            } finally {
                metrics.running(null);
            }
        });
        runs.put(job.id(), run);
        jobs.onSignal(job.id(), CUTOVER, () -> {
            String refused = run.requestCutover();
            if (refused != null) {
                LOG.warnf("cutover asked through another sidecar refused: %s", refused);
            }
        });
        runs.keySet().removeIf(id -> jobs.local(id).isEmpty());
        return job;
    }

    /**
     * Cuts an import over, on whichever sidecar of the fleet runs it: here at once (refusals answered), elsewhere
     * through the job store (applied within a second; a refusal there is logged and shows in the job's status).
     *
     * @throws ImportRefusedException when the job is not an import or cannot cut over yet
     */
    public JobRecord cutover(String jobId) {
        Optional<Job> local = jobs.local(jobId);
        if (local.isEmpty()) {
            JobRecord r = jobs.get(jobId).orElseThrow(() -> new UnknownJobException(jobId));
            if (!JOB_TYPE.equals(r.type())) {
                throw new ImportRefusedException("job " + jobId + " is a " + r.type() + " job, not an import", null);
            }
            if (r.state().isFinal()) {
                throw new ImportRefusedException("job " + jobId + " already ended " + r.state(), null);
            }
            jobs.signal(jobId, CUTOVER);
            return r;
        }
        Job job = local.get();
        ImportRun run = runs.get(jobId);
        if (run == null || !JOB_TYPE.equals(job.type())) {
            throw new ImportRefusedException("job " + jobId + " is a " + job.type() + " job, not an import", null);
        }
        if (job.state().isFinal()) {
            throw new ImportRefusedException("job " + jobId + " already ended " + job.state(), null);
        }
        String refused = run.requestCutover();
        if (refused != null) {
            throw new ImportRefusedException(refused, run.status);
        }
        return JobRecord.of(job, null);
    }

    private SourceGroup resolve(String text) {
        if (text == null || text.isBlank()) {
            throw new BadRequestException("source is required: a Sentinel master name or host:port");
        }
        String name = text.trim();
        Optional<SentinelView> view = sentinel.latest();
        if (view.isPresent() && view.get().masters().containsKey(name)) {
            return watched(name);
        }
        HostPort address;
        try {
            address = HostPort.parse(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("source " + name + " is neither a Sentinel master the agent watches "
                    + (view.map(v -> v.masters().keySet().toString()).orElse("(none)")) + " nor host:port");
        }
        if (view.isPresent()) {
            for (SentinelView.MasterState m : view.get().masters().values()) {
                if (m.address().equals(address)) {
                    return watched(m.name());
                }
            }
        }
        requireNotClusterNode(address);
        return new SourceGroup() {
            public String name() {
                return address.toString();
            }

            public HostPort primary() {
                return address;
            }

            public List<HostPort> nodes() {
                return List.of(address);
            }
        };
    }

    private SourceGroup watched(String name) {
        SourceGroup group = new SourceGroup() {
            public String name() {
                return name;
            }

            public HostPort primary() {
                return state().address();
            }

            public List<HostPort> nodes() {
                SentinelView.MasterState m = state();
                List<HostPort> out = new ArrayList<>();
                out.add(m.address());
                m.replicas().forEach(r -> out.add(r.address()));
                return out;
            }

            private SentinelView.MasterState state() {
                return sentinel.latest().map(v -> v.masters().get(name))
                        .orElseThrow(() -> new IllegalStateException("the Sentinel watcher lost master " + name));
            }
        };
        requireNotClusterNode(group.primary());
        return group;
    }

    private void requireNotClusterNode(HostPort address) {
        String enabled = redis.info(address, "cluster").getOrDefault("cluster_enabled", "0");
        if (!"0".equals(enabled)) {
            throw new BadRequestException("source " + address + " is a cluster node: nothing to import");
        }
    }

    private static SlotOwners requireOwners(ClusterSnapshot snapshot) {
        SlotOwners owners = SlotOwners.of(snapshot);
        if (!owners.complete()) {
            throw new ImportRefusedException("the target cluster does not cover every slot: run POST /cluster/fix first",
                    null);
        }
        return owners;
    }

    private void requireRoom(ClusterSnapshot snapshot, SlotOwners owners, HostPort primary) {
        long dataset = longOf(redis.info(primary, "memory").get("used_memory_dataset"));
        Map<HostPort, DryRun.TargetMemory> memory = targetMemory(owners);
        List<String> short_ = new ArrayList<>();
        for (ClusterNode m : snapshot.masters()) {
            if (m.address().isEmpty() || m.slotCount() == 0) {
                continue;
            }
            DryRun.TargetMemory t = memory.get(m.address().get());
            long need = dataset * m.slotCount() / KeySlots.SLOTS;
            if (t != null && t.maxmemory() > 0 && t.maxmemory() - t.used() < need) {
                short_.add(m.address().get() + " needs ~" + need + " B, has " + (t.maxmemory() - t.used()) + " B");
            }
        }
        if (!short_.isEmpty()) {
            throw new ImportRefusedException("the target lacks room: " + String.join("; ", short_)
                    + " (raise maxmemory or add masters; the dry run has the exact figures)", null);
        }
    }

    private Map<HostPort, DryRun.TargetMemory> targetMemory(SlotOwners owners) {
        Map<HostPort, DryRun.TargetMemory> out = new LinkedHashMap<>();
        for (HostPort m : owners.masters()) {
            Map<String, String> info = redis.info(m, "memory");
            out.put(m, new DryRun.TargetMemory(longOf(info.get("maxmemory")), longOf(info.get("used_memory")),
                    longOf(redis.configGet(m, "proto-max-bulk-len"))));
        }
        return out;
    }

    private long targetKeys(SlotOwners owners) {
        long total = 0;
        for (HostPort m : owners.masters()) {
            total += keysOf(redis.info(m, "keyspace").get("db0"));
        }
        return total;
    }

    private long dbsize(HostPort node) {
        return keysOf(redis.info(node, "keyspace").get("db0"));
    }

    private Map<String, Long> otherDatabases(HostPort node) {
        Map<String, Long> out = new LinkedHashMap<>();
        redis.info(node, "keyspace").forEach((db, v) -> {
            if (!"db0".equals(db)) {
                out.put(db, keysOf(v));
            }
        });
        return out;
    }

    static long keysOf(String keyspaceLine) {
        if (keyspaceLine == null) {
            return 0;
        }
        return longOf(keyspaceLine.replaceAll("^keys=(\\d+).*$", "$1"));
    }

    static long longOf(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
