package io.cahoots.agent.pods;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * What the Redis pods supervisor sees and does, for {@code GET /api/v1/cluster/pods}.
 *
 * @param mode      {@code kubernetes} (pods from the API), {@code addresses} (off Kubernetes: heal only),
 *                  {@code standby} (another sidecar leads), {@code off} (no cluster)
 * @param scaleDown while a scale-down waits for a drain: what is held and why
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodsStatus(String mode, String source, String joinAs, String statefulSet, Integer specReplicas,
                         Integer requestedReplicas, List<Pod> pods, Heal heal, String scaleDown, List<Action> actions,
                         String error) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pod(String name, String address, Integer ordinal, String kubeNode, boolean ready, boolean deleting,
                      String nodeId, String role, Integer slotCount) {
    }

    /**
     * @param state {@code ok}, {@code waiting} (isolated nodes, inside the grace left to Redis), {@code reconnecting}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Heal(String state, List<String> isolated, Instant isolatedSince, long meetsSent, Instant lastMeetAt) {
    }

    public record Action(Instant at, String what) {
    }

    public static PodsStatus off(String why) {
        return new PodsStatus("off", why, null, null, null, null, List.of(), null, null, List.of(), null);
    }
}
