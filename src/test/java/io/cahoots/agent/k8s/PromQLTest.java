package io.cahoots.agent.k8s;

import io.cahoots.agent.config.ScalingConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQLTest {

    @Test
    void findsTheMetricNamesOfTheKitsExpressions() {
        assertThat(PromQL.metricNames(ScalingConfig.DEFAULT_QUERY_CPU)).containsExactly("process_cpu_time_ns_total", "system_cpu_count");
        assertThat(PromQL.metricNames(ScalingConfig.DEFAULT_QUERY_MEMORY)).containsExactly("jvm_memory_used_bytes", "jvm_memory_max_bytes");
        assertThat(PromQL.metricNames(ScalingConfig.DEFAULT_QUERY_P95)).containsExactly("http_server_requests_seconds_bucket");
        assertThat(PromQL.metricNames("max(cahoots_cluster_slots_open{job=\"x\"}) > 0 unless on() max(cahoots_job_running) > 0"))
                .containsExactly("cahoots_cluster_slots_open", "cahoots_job_running");
        assertThat(PromQL.metricNames("max by (address) (a_b / (c_d{role=\"master\"} > 0)) > 0.8")).containsExactly("a_b", "c_d");
        assertThat(PromQL.metricNames("sum(rate(x_total[5m] offset 1h)) / 1e9")).containsExactly("x_total");
        assertThat(PromQL.metricNames("up{job=\"a\"} == 0")).containsExactly("up");
    }
}
