package io.cahoots.agent.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The application view of CONTRACT.md, exactly: what a client needs to route (shards with their slots, master and
 * replicas; Sentinel masters with their replicas), a {@code version} that only grows and the {@code cause} of the
 * last change. Both parts are always present (empty when that feature is off), so clients never meet a null.
 *
 * @param at      ISO-8601 instant of the change, as text so every channel sends the same bytes
 * @param retired Sentinel primaries whose data moved into the cluster (cause {@code cluster-enabled}, issue 15):
 *                applications must stop using them. Absent until an import cut over; kept on every later view.
 */
@JsonPropertyOrder({"version", "cause", "at", "cluster", "sentinel", "retired"})
public record TopologyView(long version, String cause, String at, Cluster cluster, Sentinel sentinel,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Retired> retired) {

    public TopologyView {
        retired = retired == null ? List.of() : List.copyOf(retired);
    }

    public TopologyView(long version, String cause, String at, Cluster cluster, Sentinel sentinel) {
        this(version, cause, at, cluster, sentinel, List.of());
    }

    public static TopologyView of(long version, String cause, String at, Content content) {
        return of(version, cause, at, content, List.of());
    }

    public static TopologyView of(long version, String cause, String at, Content content, List<Retired> retired) {
        return new TopologyView(version, cause, at, new Cluster(content.shards()), new Sentinel(content.masters()),
                retired);
    }

    /**
     * A Sentinel primary retired by an import: its data now lives in the cluster's shards.
     *
     * @param name    the Sentinel master name, or the address when the import named an address
     * @param primary the primary's address at the cutover
     * @param at      ISO-8601 instant of the cutover
     */
    @JsonPropertyOrder({"name", "primary", "at"})
    public record Retired(String name, String primary, String at) {
    }

    public Content content() {
        return new Content(cluster.shards(), sentinel.masters());
    }

    public record Cluster(List<Shard> shards) {
        public Cluster {
            shards = List.copyOf(shards);
        }
    }

    /** @param slots inclusive ranges, {@code [[0, 5460], ...]} */
    @JsonPropertyOrder({"slots", "master", "replicas"})
    public record Shard(List<List<Integer>> slots, String master, List<String> replicas) {
        public Shard {
            slots = slots.stream().map(List::copyOf).toList();
            replicas = List.copyOf(replicas);
        }
    }

    public record Sentinel(Map<String, Group> masters) {
        public Sentinel {
            masters = Collections.unmodifiableMap(new TreeMap<>(masters));
        }
    }

    @JsonPropertyOrder({"master", "replicas"})
    public record Group(String master, List<String> replicas) {
        public Group {
            replicas = List.copyOf(replicas);
        }
    }

    /** The part of the view that changes make: compared to decide whether there is anything new to publish. */
    public record Content(List<Shard> shards, Map<String, Group> masters) {
        public static final Content EMPTY = new Content(List.of(), Map.of());

        public Content {
            shards = List.copyOf(shards);
            masters = Collections.unmodifiableMap(new TreeMap<>(masters));
        }
    }
}
