package io.cahoots.agent.scaling.decision;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The sizing formula with hand-computed figures. */
class CapacityPlanTest {

    static final long MIB = 1L << 20;

    static CapacityPlan.Input input(double rps, double cpuPerRequest, long users, double bytesPerUser) {
        return new CapacityPlan.Input(rps, cpuPerRequest, users, bytesPerUser, 25, 2.5, 1.0, 1024.0 * MIB, 70);
    }

    @Test
    void everyStageOfTheFormula() {
        // 400 req/s x 5ms = 2 cores; x1.25 = 2.5; x2.5 = 6.25 cores at peak; / (1 core x 70%) = 8.93 -> 9 pods.
        // 10,000 users x 100 KiB = 976.6 MiB; x1.25 x2.5 = 2.98 GiB; / (1 GiB x 70%) = 4.26 -> 5 pods.
        CapacityPlan p = CapacityPlan.plan(input(400, 0.005, 10_000, 100 * 1024), 2, 10);
        assertThat(p.cpuCores().base()).isCloseTo(2.0, within(1e-9));
        assertThat(p.cpuCores().withOverhead()).isCloseTo(2.5, within(1e-9));
        assertThat(p.cpuCores().peak()).isCloseTo(6.25, within(1e-9));
        assertThat(p.memoryBytes().base()).isEqualTo(10_000 * 100 * 1024.0);
        assertThat(p.replicasForCpu()).isEqualTo(9);
        assertThat(p.replicasForMemory()).isEqualTo(5);
        assertThat(p.replicasNeeded()).isEqualTo(9);
        assertThat(p.replicas()).isEqualTo(9);
        assertThat(p.limitedBy()).isEqualTo("cpu");
        assertThat(p.cpuUtilizationAtPeakPercent()).isEqualTo(69.4);
        assertThat(p.warnings()).isEmpty();
    }

    @Test
    void anExactFitDoesNotCostAnExtraPodForFloatingPointDust() {
        // 0.7 cores at peak per pod exactly: 5.6 cores peak / 0.7 = 8.000000000000002 in doubles.
        CapacityPlan.Input in = new CapacityPlan.Input(448, 0.005, 0, 0, 25, 2, 1.0, 1.0, 70);
        assertThat(CapacityPlan.plan(in, 2, 10).replicas()).isEqualTo(8);
    }

    @Test
    void theMaximumIsTheLimitAndSaysWhatThePeakWouldDo() {
        CapacityPlan p = CapacityPlan.plan(input(2000, 0.005, 0, 0), 2, 10);
        assertThat(p.replicasNeeded()).isEqualTo(45);
        assertThat(p.replicas()).isEqualTo(10);
        assertThat(p.warnings()).singleElement().asString()
                .contains("needs 45 replicas but the maximum is 10").contains("CPU would reach 313%");
    }

    @Test
    void theMinimumIsTheLimitForASmallLoad() {
        CapacityPlan p = CapacityPlan.plan(input(1, 0.001, 10, 1024), 2, 10);
        assertThat(p.replicasNeeded()).isEqualTo(1);
        assertThat(p.replicas()).isEqualTo(2);
        assertThat(p.warnings()).singleElement().asString().contains("minimum of 2");
    }

    @Test
    void memoryCanBeTheLimitingResource() {
        CapacityPlan p = CapacityPlan.plan(input(10, 0.001, 10_000, 1024 * 1024), 2, 100);
        assertThat(p.limitedBy()).isEqualTo("memory");
        assertThat(p.replicas()).isEqualTo(p.replicasForMemory()).isGreaterThan(p.replicasForCpu());
    }
}
