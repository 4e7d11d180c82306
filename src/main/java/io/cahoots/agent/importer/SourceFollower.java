package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Captures every change made on the source group while an import runs.
 *
 * <ol>
 *   <li>{@link #watch}: for each node of the group -- the primary and its replicas, since replicas emit keyspace
 *       events for the writes they apply: a replica promoted by a failover has then been followed all along, deletes
 *       included -- remember its {@code notify-keyspace-events}, set the {@link NotifyFlags#merged merged} value and
 *       subscribe; the subscription is confirmed before {@link #watch} returns, so a SCAN started afterwards cannot
 *       miss a write.</li>
 *   <li>Every key named by an event goes to the {@link ChangeLog}.</li>
 *   <li>A subscription that ends by itself (a restart, a full pub/sub buffer) is remembered in {@link #lost}: the
 *       caller resubscribes and, when it was the primary's, copies everything again.</li>
 *   <li>{@link #close}: unsubscribe and put back each node's original value (bounded attempts); what could not be
 *       restored is reported, never hidden.</li>
 * </ol>
 */
final class SourceFollower {

    private static final Logger LOG = Logger.getLogger(SourceFollower.class);
    static final String PARAMETER = "notify-keyspace-events";
    private static final int RESTORE_ATTEMPTS = 3;

    private final ImportCommands redis;
    private final ChangeLog changes;
    private final Map<HostPort, String> original = new LinkedHashMap<>();
    private final Map<HostPort, ImportCommands.Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Set<HostPort> lost = ConcurrentHashMap.newKeySet();

    SourceFollower(ImportCommands redis, ChangeLog changes) {
        this.redis = redis;
        this.changes = changes;
    }

    /**
     * Follows every node not yet followed. Unreachable nodes are skipped (reported false) -- except that the caller
     * treats a primary it could not follow as fatal.
     */
    synchronized Map<HostPort, Boolean> watch(Collection<HostPort> nodes) {
        Map<HostPort, Boolean> out = new LinkedHashMap<>();
        for (HostPort node : nodes) {
            ImportCommands.Subscription s = subscriptions.get(node);
            if (s != null && s.open()) {
                out.put(node, true);
                continue;
            }
            try {
                String was = redis.configGet(node, PARAMETER);
                // Only the first reading is the operator's value: later ones may be the import's own.
                original.putIfAbsent(node, was);
                if (!NotifyFlags.sufficient(was)) {
                    redis.configSet(node, PARAMETER, NotifyFlags.merged(was));
                }
                lost.remove(node);
                subscriptions.put(node, redis.subscribeKeyspace(node, key -> {
                    if (!Verifier.agentOwn(key)) { // the agents' own keys stay where they are
                        changes.add(key, System.nanoTime());
                    }
                },
                        why -> {
                            LOG.warnf("keyspace subscription on %s ended: %s", node, why);
                            lost.add(node);
                        }));
                out.put(node, true);
            } catch (RedisException e) {
                LOG.warnf("cannot follow %s: %s", node, e.getMessage());
                out.put(node, false);
            }
        }
        return out;
    }

    /** Whether the node's subscription ended since it was opened (cleared by the next {@link #watch}). */
    boolean lost(HostPort node) {
        return lost.contains(node) || !subscriptions.containsKey(node);
    }

    /** @return per node, the value put back or why it could not be */
    synchronized Map<String, String> close() {
        subscriptions.values().forEach(ImportCommands.Subscription::close);
        subscriptions.clear();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<HostPort, String> e : original.entrySet()) {
            out.put(e.getKey().toString(), restore(e.getKey(), e.getValue()));
        }
        return out;
    }

    private String restore(HostPort node, String value) {
        RedisException last = null;
        for (int attempt = 1; attempt <= RESTORE_ATTEMPTS; attempt++) {
            try {
                redis.configSet(node, PARAMETER, value);
                return "'" + value + "'";
            } catch (RedisException e) {
                last = e;
                sleep(200L * attempt);
            }
        }
        LOG.warnf("could not restore %s on %s to '%s': %s", PARAMETER, node, value, last.getMessage());
        return "NOT restored (was '" + value + "'): " + last.getMessage();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
