package io.cahoots.agent.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubeSettingsTest {

    static KubeSettings of(Map<String, String> values) {
        return KubeSettings.from(ConfigMaps.mapping(KubeConfig.class, values));
    }

    @Test
    void offKubernetesByDefaultAndNewPodsJoinAsReplicas() {
        KubeSettings s = of(Map.of());
        assertThat(s.onKubernetes()).isFalse();
        assertThat(s.namespace()).isEmpty();
        assertThat(s.joinAs()).isEqualTo(KubeSettings.JoinAs.REPLICA);
    }

    @Test
    void aSelectorNamespaceAndJoinAsMaster() {
        KubeSettings s = of(Map.of("agent.kube.redis-selector", "app.kubernetes.io/name=redis-cluster, tier==cache",
                "agent.kube.redis-namespace", "shop", "agent.kube.join-as", "Master"));
        assertThat(s.onKubernetes()).isTrue();
        assertThat(s.selector()).isEqualTo(Map.of("app.kubernetes.io/name", "redis-cluster", "tier", "cache"));
        assertThat(s.namespace()).isEqualTo(Optional.of("shop"));
        assertThat(s.joinAs()).isEqualTo(KubeSettings.JoinAs.MASTER);
    }

    @Test
    void badValuesAreOneLineNamingTheVariable() {
        assertThatThrownBy(() -> of(Map.of("agent.kube.join-as", "leader")))
                .hasMessage("Invalid setting AGENT_KUBE_JOIN_AS='leader': expected replica or master");
        assertThatThrownBy(() -> of(Map.of("agent.kube.redis-selector", "app in (redis)")))
                .hasMessageStartingWith("Invalid setting AGENT_KUBE_REDIS_SELECTOR='app in (redis)': expected comma-separated label=value");
        assertThatThrownBy(() -> of(Map.of("agent.kube.redis-selector", "app!=redis")))
                .hasMessageStartingWith("Invalid setting AGENT_KUBE_REDIS_SELECTOR=");
        assertThatThrownBy(() -> of(Map.of("agent.kube.redis-selector", "a=b,a=c")))
                .hasMessageStartingWith("Invalid setting AGENT_KUBE_REDIS_SELECTOR=");
        assertThatThrownBy(() -> of(Map.of("agent.kube.redis-selector", "app=redis", "agent.kube.redis-namespace", "Shop_1")))
                .hasMessageStartingWith("Invalid setting AGENT_KUBE_REDIS_NAMESPACE='Shop_1'");
        assertThatThrownBy(() -> of(Map.of("agent.kube.redis-namespace", "shop")))
                .hasMessage("Invalid setting AGENT_KUBE_REDIS_NAMESPACE: is set but AGENT_KUBE_REDIS_SELECTOR is not: name the labels of the Redis pods too");
        assertThat(of(Map.of("agent.kube.redis-selector", "app=")).selector()).isEqualTo(Map.of("app", ""));
    }
}
