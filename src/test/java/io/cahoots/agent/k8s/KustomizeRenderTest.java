package io.cahoots.agent.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.cahoots.agent.k8s.Rendering.Resource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "done when": {@code kubectl kustomize k8s/} renders cleanly. Its output is loaded into the typed models
 * strictly, and must be the test's own rendering ({@link Rendering}) plus kustomize's content-hash suffixes, with
 * every reference to a generated ConfigMap rewritten to the suffixed name.
 */
class KustomizeRenderTest {

    @Test
    void kubectlKustomizeRendersTheKitCleanly() throws IOException {
        Tools.Result r = Tools.run(Path.of("."), Tools.KUBECTL, "kubectl", "kustomize", "k8s/");
        assertThat(r.exit()).as(r.output()).isZero();
        List<Resource> rendered = new ArrayList<>();
        int n = 0;
        for (JsonNode doc : StrictYaml.documents(r.output())) {
            String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
            Class<?> c = Rendering.TYPES.get(type);
            assertThat(c).as("kind %s in kubectl's output", type).isNotNull();
            Object model = StrictYaml.load(doc, c, "kubectl kustomize document " + ++n);
            rendered.add(new Resource(doc.path("kind").asText(), doc.has("metadata")
                    ? StrictYaml.MAPPER.convertValue(doc.get("metadata"), io.fabric8.kubernetes.api.model.ObjectMeta.class) : null,
                    model, "kubectl"));
        }
        Rendering own = ManifestsTest.KIT;
        Set<String> generated = own.root.configMapGenerator().stream().map(Kustomization.Generator::name).collect(Collectors.toSet());
        generated.addAll(Rendering.kustomization(Path.of("redis-conf")).configMapGenerator().stream().map(Kustomization.Generator::name).toList());
        Map<String, String> hashed = rendered.stream().filter(x -> x.kind().equals("ConfigMap"))
                .collect(Collectors.toMap(x -> unhashed(x.name(), generated), Resource::name));

        assertThat(rendered.stream().map(x -> x.kind() + "/" + unhashed(x.name(), generated)).sorted().toList())
                .isEqualTo(own.resources.stream().map(x -> x.kind() + "/" + x.name()).sorted().toList());
        assertThat(rendered).allSatisfy(x -> {
            if (!x.kind().equals("Namespace")) {
                assertThat(x.metadata().getNamespace()).as(x.kind() + "/" + x.name()).isEqualTo(own.root.namespace());
            }
        });
        // Generated ConfigMaps hold what the test's rendering holds, under kustomize's names; references follow them.
        for (ConfigMap cm : own.all(ConfigMap.class)) {
            ConfigMap k = (ConfigMap) rendered.stream().filter(x -> x.name().equals(hashed.get(cm.getMetadata().getName())))
                    .findFirst().orElseThrow().model();
            assertThat(k.getData()).isEqualTo(cm.getData());
        }
        for (Resource x : rendered) {
            Rendering.workload(x).ifPresent(w -> {
                for (Volume v : w.template().getSpec().getVolumes()) {
                    if (v.getConfigMap() != null) {
                        assertThat(hashed.values()).as("volume %s of %s", v.getName(), w.name()).contains(v.getConfigMap().getName());
                    }
                    if (v.getProjected() != null) {
                        v.getProjected().getSources().stream().map(VolumeProjection::getConfigMap).filter(java.util.Objects::nonNull)
                                .forEach(p -> assertThat(p.getName()).isEqualTo("kube-root-ca.crt"));
                    }
                }
                // The images are the ones the kustomization pins.
                for (Container c : Stream.concat(w.template().getSpec().getContainers().stream(),
                        w.template().getSpec().getInitContainers().stream()).toList()) {
                    assertThat(own.root.images()).as(c.getImage())
                            .anySatisfy(i -> assertThat(c.getImage()).isEqualTo(i.name() + ":" + i.newTag()));
                }
            });
        }
    }

    /** {@code redis-scripts-b7gtdd54d6} -> {@code redis-scripts} for generated names; other names as they are. */
    static String unhashed(String name, Set<String> generated) {
        int dash = name.lastIndexOf('-');
        return dash > 0 && generated.contains(name.substring(0, dash)) ? name.substring(0, dash) : name;
    }
}
