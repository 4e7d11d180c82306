package io.cahoots.agent.testing;

import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;

/**
 * One lab per test JVM, started on first use and shared by every test class: 3 masters x 1 replica, one
 * spare node and the Sentinel group. Tests that break a node put it back; tests flush instead of
 * restarting. The lab's own shutdown hook stops it when the JVM exits.
 */
public final class SharedLab {

    private static RedisLab lab;

    private SharedLab() {
    }

    public static synchronized RedisLab get() {
        if (lab == null) {
            lab = RedisLab.start(LabSpec.builder()
                    .masters(3).replicasPerMaster(1).spareNodes(1)
                    .sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                    // Production's node timeout: the lab default of 1 s lets a loaded 2-core machine trigger
                    // spurious failovers mid-test. Tests that need fast failure detection start their own lab.
                    .clusterNodeTimeoutMillis(5000)
                    .build());
        }
        return lab;
    }
}
