package io.cahoots.agent.scaling.shard;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which shard a StatefulSet scale-in (two pods fewer) takes out, a pure function of a snapshot and the members' pod
 * ordinals.
 *
 * <p>The StatefulSet always removes its two highest ordinals, and the pods supervisor drains them before it lowers
 * {@code spec.replicas}: replicas are removed, masters drained (their slots spread over the others, their own
 * replicas re-pointed to the masters with the fewest replicas). The result is one master fewer only when exactly one
 * of the two leaving pods is a master:
 * <ol>
 *   <li>A master and its own replica: the shard leaves as it came.</li>
 *   <li>A master and a replica of another master X: still one master fewer, no failover needed. X loses its replica,
 *       so the master's own replica (at a lower ordinal, staying) is re-pointed to X first ({@link #repoints}).</li>
 *   <li>Two masters: draining both would take two masters out (and need the headroom for both). So first one of them
 *       hands its role to a replica at a lower ordinal ({@code CLUSTER FAILOVER} on that replica): it becomes a
 *       replica and leaves as such, its data stays. The one that keeps its role is drained: of the two, the one
 *       holding less memory among those that have a replica to fail over to.</li>
 *   <li>Two replicas: removing them would take no master out. So first one of them takes over its master
 *       ({@code CLUSTER FAILOVER} on it): it becomes the master and is drained; its old master, at a lower ordinal,
 *       stays as a replica. The data that leaves is the old master's: of the two, the one holding less memory.</li>
 * </ol>
 * In every case the drained master's replicas that stay are re-pointed before the drain to the masters left with
 * the fewest replicas ({@link #repoints}), so each remaining master keeps its replica. The plan names the master whose data is drained (for the headroom rule, checked on that master's memory) and the
 * replica to fail over first, if any. A leaving pod that is no member does not count; with no member, or with no
 * replica to fail over to, there is no plan and the scale-in is refused with the reason.
 */
public final class StatefulSetScaleIn {

    private StatefulSetScaleIn() {
    }

    /** A cluster node and the pod it runs in. */
    public record Member(String nodeId, String pod, int ordinal) {
    }

    /**
     * @param drain    the master whose data leaves (now; after the failover, if any, the replica that took over holds it)
     * @param failover the replica to run {@code CLUSTER FAILOVER} on before the scale-in, if any
     * @param label    the drained master for a decision ("redis-cluster-7 (10.0.0.7:6379)")
     * @param note     how the two leaving pods make one shard, for the decision's reason
     * @param refused  why no shard can be taken out (then the other fields are empty)
     */
    public record Plan(Optional<String> drain, Optional<String> failover, String label, String note, Optional<String> refused) {

        static Plan refuse(String why) {
            return new Plan(Optional.empty(), Optional.empty(), "", "", Optional.of(why));
        }
    }

    /**
     * @param members     the cluster's nodes mapped to pods of the StatefulSet
     * @param specReplicas the StatefulSet's {@code spec.replicas} now; the pods at ordinals {@code specReplicas - 2}
     *                    and up leave
     */
    public static Plan plan(ClusterSnapshot s, List<Member> members, int specReplicas) {
        int from = specReplicas - 2;
        if (from < 0) {
            return Plan.refuse("the StatefulSet has " + specReplicas + " replicas: no shard of two pods to take out");
        }
        List<Member> leavingMembers = members.stream().filter(m -> m.ordinal() >= from && s.node(m.nodeId()).isPresent())
                .sorted(Comparator.comparingInt(Member::ordinal).reversed()).toList();
        String pods = "the StatefulSet's highest ordinals " + from + " and " + (from + 1);
        if (leavingMembers.isEmpty()) {
            return Plan.refuse(pods + " run no cluster member: lowering the StatefulSet would take no shard out");
        }
        List<Member> masters = leavingMembers.stream().filter(m -> node(s, m).isMaster()).toList();
        List<Member> replicas = leavingMembers.stream().filter(m -> !node(s, m).isMaster()).toList();
        if (masters.size() == 1) {
            Member m = masters.get(0);
            ClusterNode master = node(s, m);
            String note;
            if (replicas.isEmpty()) {
                note = pods + ": " + m.pod() + " is the only member among them";
            } else if (node(s, replicas.get(0)).masterId().filter(master.id()::equals).isPresent()) {
                note = pods + ": " + m.pod() + " and its replica " + replicas.get(0).pod() + " leave as one shard";
            } else {
                note = pods + ": " + m.pod() + " and " + replicas.get(0).pod() + ", a replica of another master;"
                        + " " + m.pod() + "'s own replicas are re-pointed first to the masters left with the fewest replicas";
            }
            return new Plan(Optional.of(master.id()), Optional.empty(), label(m, master), note, Optional.empty());
        }
        if (masters.size() == 2) {
            // One keeps its role and is drained; the other hands its role to a replica that stays.
            List<Plan> options = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Member drained = masters.get(i);
                Member handing = masters.get(1 - i);
                Optional<ClusterNode> successor = successor(s, node(s, handing), leavingMembers);
                if (successor.isEmpty()) {
                    continue;
                }
                String successorName = members.stream().filter(x -> x.nodeId().equals(successor.get().id())).map(Member::pod)
                        .findFirst().orElse(successor.get().addressText());
                options.add(new Plan(Optional.of(node(s, drained).id()), Optional.of(successor.get().id()),
                        label(drained, node(s, drained)), pods + " are both masters: " + successorName + " takes over from "
                        + handing.pod() + " first (CLUSTER FAILOVER), so that " + handing.pod()
                        + " leaves as a replica and only " + drained.pod() + "'s data is drained", Optional.empty()));
            }
            return options.stream().min(Comparator.comparingLong(p -> used(s, p.drain().get())))
                    .orElseGet(() -> Plan.refuse(pods + " are both masters and neither has a replica at a lower ordinal"
                            + " to hand its role to: the scale-in would take two masters out"));
        }
        if (masters.isEmpty()) {
            // One of the leaving replicas takes over its master, which stays as a replica; that data is drained.
            Optional<Member> promoted = replicas.stream()
                    .filter(r -> healthy(node(s, r)) && node(s, r).masterId().flatMap(s::node).filter(ClusterNode::isMaster).isPresent())
                    .min(Comparator.comparingLong(r -> used(s, node(s, r).masterId().get())));
            if (promoted.isEmpty()) {
                return Plan.refuse(pods + " are replicas and none can take over its master: the scale-in would take no"
                        + " master out");
            }
            Member r = promoted.get();
            ClusterNode oldMaster = s.node(node(s, r).masterId().get()).get();
            String oldName = members.stream().filter(x -> x.nodeId().equals(oldMaster.id())).map(Member::pod).findFirst()
                    .orElse(oldMaster.addressText());
            return new Plan(Optional.of(oldMaster.id()), Optional.of(node(s, r).id()),
                    oldName + " (" + oldMaster.addressText() + ")", pods + " are both replicas: " + r.pod()
                    + " takes over from its master " + oldName + " first (CLUSTER FAILOVER) and is drained, " + oldName
                    + " stays as a replica", Optional.empty());
        }
        return Plan.refuse(pods + " hold " + masters.size() + " masters: a scale-in takes one shard out");
    }

    /** {@code CLUSTER REPLICATE master} on {@code replica}. */
    public record Repoint(String replicaId, String masterId) {
    }

    /**
     * Where the drained master's replicas that stay go, BEFORE the drain: each to the remaining master with the fewest
     * replicas that stay (ties: lowest id). Done by the drain itself it would be too late: when a master's last slot
     * moves, Redis' replica migration has already moved its replicas to whichever master took that slot, so one master
     * could keep two replicas and another (whose replica leaves with the pods) none.
     *
     * @param leaving the nodes that leave with the pods (the drained master and the leaving replica)
     */
    public static List<Repoint> repoints(ClusterSnapshot s, List<String> leaving, String drained) {
        java.util.Map<String, Integer> staying = new java.util.TreeMap<>();
        for (ClusterNode m : s.masters()) {
            if (!leaving.contains(m.id()) && m.slotCount() > 0 && m.metrics().isPresent()) {
                staying.put(m.id(), (int) s.replicasOf(m.id()).stream().filter(r -> !leaving.contains(r.id())).count());
            }
        }
        List<Repoint> out = new ArrayList<>();
        if (staying.isEmpty()) {
            return out;
        }
        for (ClusterNode r : s.replicasOf(drained).stream().filter(r -> !leaving.contains(r.id()))
                .sorted(Comparator.comparing(ClusterNode::id)).toList()) {
            String target = staying.entrySet().stream().min(java.util.Map.Entry.<String, Integer>comparingByValue()
                    .thenComparing(java.util.Map.Entry.comparingByKey())).orElseThrow().getKey();
            staying.merge(target, 1, Integer::sum);
            out.add(new Repoint(r.id(), target));
        }
        return out;
    }

    /** A replica of {@code master} that is not leaving and can take over: read, its link up. */
    private static Optional<ClusterNode> successor(ClusterSnapshot s, ClusterNode master, List<Member> leaving) {
        return s.replicasOf(master.id()).stream()
                .filter(r -> leaving.stream().noneMatch(l -> l.nodeId().equals(r.id())) && healthy(r))
                .min(Comparator.comparingLong(ClusterNode::replicationLagBytes).thenComparing(ClusterNode::id));
    }

    private static boolean healthy(ClusterNode replica) {
        return replica.address().isPresent() && replica.metrics().map(m -> m.masterLinkUp()).orElse(false);
    }

    private static ClusterNode node(ClusterSnapshot s, Member m) {
        return s.node(m.nodeId()).orElseThrow();
    }

    private static long used(ClusterSnapshot s, String id) {
        return s.node(id).flatMap(ClusterNode::metrics).map(m -> m.usedMemoryBytes()).orElse(Long.MAX_VALUE);
    }

    private static String label(Member m, ClusterNode n) {
        return m.pod() + " (" + n.addressText() + ")";
    }
}
