package io.cahoots.agent.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The locked-down kit: the namespace enforces Pod Security "restricted" and every pod passes that profile's rules
 * (checked here as the admission controller would, from the rendered manifests); every Redis port of every Redis pod
 * is reachable only through a NetworkPolicy rule naming who may connect; tokens are mounted only where used.
 */
class KitSecurityTest {

    static final Rendering KIT = ManifestsTest.KIT;
    static final Set<Integer> REDIS_PORTS = Set.of(6379, 16379, 26379);
    /** The volume types the restricted profile allows. */
    static final Set<String> ALLOWED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");

    @Test
    void theNamespaceEnforcesTheRestrictedProfile() {
        Namespace ns = KIT.all(Namespace.class).get(0);
        assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    }

    @Test
    void everyPodPassesTheRestrictedProfile() {
        List<String> violations = new ArrayList<>();
        for (Rendering.Workload w : KIT.workloads()) {
            PodSpec spec = w.template().getSpec();
            String pod = w.kind() + " " + w.name();
            PodSecurityContext psc = spec.getSecurityContext();
            if (Boolean.TRUE.equals(spec.getHostNetwork()) || Boolean.TRUE.equals(spec.getHostPID()) || Boolean.TRUE.equals(spec.getHostIPC())) {
                violations.add(pod + ": host namespaces");
            }
            for (Volume v : spec.getVolumes()) {
                String type = volumeType(v);
                if (!ALLOWED_VOLUMES.contains(type)) {
                    violations.add(pod + ": volume " + v.getName() + " of type " + type);
                }
            }
            boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
            boolean podSeccomp = psc != null && psc.getSeccompProfile() != null
                    && Set.of("RuntimeDefault", "Localhost").contains(psc.getSeccompProfile().getType());
            if (psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() == 0) {
                violations.add(pod + ": runAsUser 0");
            }
            for (Container c : Stream.concat(spec.getContainers().stream(), spec.getInitContainers().stream()).toList()) {
                String where = pod + " container " + c.getName();
                SecurityContext sc = c.getSecurityContext();
                if (sc == null) {
                    violations.add(where + ": no securityContext");
                    continue;
                }
                if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    violations.add(where + ": allowPrivilegeEscalation must be false");
                }
                if (Boolean.TRUE.equals(sc.getPrivileged())) {
                    violations.add(where + ": privileged");
                }
                if (sc.getCapabilities() == null || !sc.getCapabilities().getDrop().contains("ALL")) {
                    violations.add(where + ": capabilities must drop ALL");
                } else if (sc.getCapabilities().getAdd() != null && sc.getCapabilities().getAdd().stream().anyMatch(a -> !a.equals("NET_BIND_SERVICE"))) {
                    violations.add(where + ": adds capabilities " + sc.getCapabilities().getAdd());
                }
                if (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot())) {
                    violations.add(where + ": runAsNonRoot not set");
                }
                if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
                    violations.add(where + ": runAsUser 0");
                }
                boolean seccomp = sc.getSeccompProfile() != null && Set.of("RuntimeDefault", "Localhost").contains(sc.getSeccompProfile().getType());
                if (!podSeccomp && !seccomp) {
                    violations.add(where + ": seccompProfile RuntimeDefault or Localhost");
                }
                for (ContainerPort p : c.getPorts()) {
                    if (p.getHostPort() != null && p.getHostPort() != 0) {
                        violations.add(where + ": hostPort " + p.getHostPort());
                    }
                    if (p.getContainerPort() < 1024) {
                        violations.add(where + ": port " + p.getContainerPort() + " needs root or NET_BIND_SERVICE");
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void onlyTheAgentMountsAServiceAccountToken() {
        for (Rendering.Workload w : KIT.workloads()) {
            assertThat(w.template().getSpec().getAutomountServiceAccountToken()).as(w.name()).isFalse();
        }
    }

    @Test
    void everyRedisPortIsCoveredByANetworkPolicyAndIngressIsDeniedByDefault() {
        List<NetworkPolicy> policies = KIT.all(NetworkPolicy.class);
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).contains("Ingress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
        });
        int checked = 0;
        for (Rendering.Workload w : KIT.workloads()) {
            Map<String, String> labels = w.template().getMetadata().getLabels();
            for (Container c : w.template().getSpec().getContainers()) {
                for (ContainerPort port : c.getPorts()) {
                    if (!REDIS_PORTS.contains(port.getContainerPort())) {
                        continue;
                    }
                    checked++;
                    List<NetworkPolicyIngressRule> rules = policies.stream()
                            .filter(p -> selects(p.getSpec().getPodSelector().getMatchLabels(), labels)
                                    && !p.getSpec().getPodSelector().getMatchLabels().isEmpty())
                            .flatMap(p -> p.getSpec().getIngress().stream())
                            .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() != null
                                    && p.getPort().getIntVal().equals(port.getContainerPort())))
                            .toList();
                    assertThat(rules).as("%s port %d: a NetworkPolicy rule must name who may connect", w.name(), port.getContainerPort())
                            .isNotEmpty()
                            .allSatisfy(r -> assertThat(r.getFrom()).as("%s port %d open to everyone", w.name(), port.getContainerPort())
                                    .isNotEmpty().allMatch(KitSecurityTest::namesPods));
                }
            }
        }
        assertThat(checked).as("Redis ports found in the kit").isGreaterThanOrEqualTo(4);
    }

    @Test
    void theAgentsPortOpensOnlyToNginxAdminsAndMonitoring() {
        NetworkPolicy api = KIT.one(NetworkPolicy.class, "cahoots-api-ingress");
        List<NetworkPolicyIngressRule> agentRules = api.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == 8080)).toList();
        assertThat(agentRules).hasSize(1);
        assertThat(agentRules.get(0).getFrom()).allMatch(KitSecurityTest::namesPods).hasSize(3);
    }

    private static boolean namesPods(NetworkPolicyPeer peer) {
        return peer.getIpBlock() == null && (peer.getPodSelector() != null && !peer.getPodSelector().getMatchLabels().isEmpty()
                || peer.getNamespaceSelector() != null && !peer.getNamespaceSelector().getMatchLabels().isEmpty());
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static String volumeType(Volume v) {
        if (v.getConfigMap() != null) return "configMap";
        if (v.getSecret() != null) return "secret";
        if (v.getEmptyDir() != null) return "emptyDir";
        if (v.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
        if (v.getProjected() != null) return "projected";
        if (v.getDownwardAPI() != null) return "downwardAPI";
        if (v.getCsi() != null) return "csi";
        if (v.getEphemeral() != null) return "ephemeral";
        return v.getHostPath() != null ? "hostPath" : "other";
    }
}
