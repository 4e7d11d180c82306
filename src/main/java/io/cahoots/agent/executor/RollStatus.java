package io.cahoots.agent.executor;

import io.cahoots.agent.planner.RollPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * A roll's live progress, the job's {@code result}: replaced (never mutated) at every step so that the fleet store's
 * copy, written every second, is always one consistent picture.
 *
 * @param restarter  what restarts the nodes ({@code lab}, {@code kubernetes})
 * @param nodesDone  nodes restarted and back (synced, cluster ok)
 * @param step       what the roll does right now, one sentence
 * @param done       per restarted node: how long its step took
 */
public record RollStatus(String restarter, int nodesDone, int nodesTotal, String step, RollPlan plan, List<Done> done) {

    public RollStatus {
        done = List.copyOf(done);
    }

    /**
     * @param failoverMillis time from {@code CLUSTER FAILOVER} to the cluster agreeing on the new master, 0 for a replica
     * @param restartMillis  time from the restart to the node back, synced and the cluster ok
     */
    public record Done(int index, String nodeId, String address, long failoverMillis, long restartMillis) {
    }

    static RollStatus start(String restarter, RollPlan plan) {
        return new RollStatus(restarter, 0, plan.nodes(), "starting", plan, List.of());
    }

    RollStatus step(String what) {
        return new RollStatus(restarter, nodesDone, nodesTotal, what, plan, done);
    }

    RollStatus finished(Done d) {
        List<Done> list = new ArrayList<>(done);
        list.add(d);
        return new RollStatus(restarter, nodesDone + 1, nodesTotal,
                nodesDone + 1 == nodesTotal ? "done" : "node " + d.address() + " done", plan, list);
    }
}
