package io.cahoots.agent.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * A {@code @QuarkusTest} profile whose agent watches a {@link SimulatedCluster} of 500 masters x 1 replica instead of
 * the shared lab (the global lab resource is off for it). Reads only: the planner's dry run, the views, the check.
 */
public class SimulatedClusterProfile implements QuarkusTestProfile {

    public static final int MASTERS = 500;
    private static SimulatedCluster sim;

    public static synchronized SimulatedCluster sim() {
        if (sim == null) {
            sim = SimulatedCluster.start(MASTERS, 1);
            Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
        }
        return sim;
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("agent.cluster-nodes", sim().masters().get(0).toString(),
                    "agent.admin-token", LabResource.ADMIN_TOKEN,
                    "agent.poll-interval", "1s",
                    "agent.redis-timeout", "1s");
        }

        @Override
        public void stop() {
            // The simulated cluster lives as long as the JVM.
        }
    }
}
