package io.cahoots.agent.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.util.Map.entry;

/**
 * What {@code kubectl kustomize k8s/} renders, computed from the files by the test itself, as typed models loaded
 * strictly ({@link StrictYaml}). Supports exactly the kustomize features the kit uses, in kustomize's order:
 * <ol>
 *   <li>{@code resources}: YAML files (every document), or directories with their own kustomization, recursively;</li>
 *   <li>{@code configMapGenerator}: one key per file (its base name), the options' labels; names are kept without
 *       kustomize's content-hash suffix (references in the files use the plain name too);</li>
 *   <li>{@code namespace} on every namespaced object;</li>
 *   <li>{@code images}: a new tag or name for the containers using that image.</li>
 * </ol>
 * Anything else in a kustomization fails loading ({@link Kustomization}), so this never renders less than kubectl.
 * {@code KustomizeRenderTest} compares the result with the real {@code kubectl kustomize}.
 */
final class Rendering {

    static final Path K8S = Path.of("k8s");

    /** Known kinds, by {@code apiVersion/kind}: anything else in the kit is a mistake. */
    static final Map<String, Class<?>> TYPES = Map.ofEntries(
            entry("v1/Namespace", Namespace.class),
            entry("v1/Service", Service.class),
            entry("v1/ConfigMap", ConfigMap.class),
            entry("v1/ServiceAccount", ServiceAccount.class),
            entry("apps/v1/Deployment", Deployment.class),
            entry("apps/v1/StatefulSet", StatefulSet.class),
            entry("batch/v1/Job", Job.class),
            entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            entry("monitoring.coreos.com/v1/ServiceMonitor", Monitoring.ServiceMonitor.class),
            entry("monitoring.coreos.com/v1/PrometheusRule", Monitoring.PrometheusRule.class));

    /** One rendered object and the file it came from. */
    record Resource(String kind, ObjectMeta metadata, Object model, String source) {
        String name() {
            return metadata.getName();
        }
    }

    /** A pod template and what owns it. */
    record Workload(String kind, String name, PodTemplateSpec template, int replicas, Optional<String> serviceName,
                    List<String> claims) {
    }

    final Kustomization root;
    final List<Resource> resources;

    private Rendering(Kustomization root, List<Resource> resources) {
        this.root = root;
        this.resources = List.copyOf(resources);
    }

    static Rendering of(Path dir) {
        Kustomization k = kustomization(dir);
        List<Resource> out = new ArrayList<>();
        collect(dir, k, out);
        for (Resource r : out) {
            if (k.namespace() != null && !r.kind().equals("Namespace")) {
                r.metadata().setNamespace(k.namespace());
            }
        }
        if (k.images() != null) {
            for (Kustomization.Image image : k.images()) {
                out.forEach(r -> containers(r).forEach(c -> retag(c, image)));
            }
        }
        return new Rendering(k, out);
    }

    static Kustomization kustomization(Path dir) {
        try {
            List<JsonNode> docs = StrictYaml.documents(Files.readString(dir.resolve("kustomization.yaml")));
            return StrictYaml.load(docs.get(0), Kustomization.class, dir.resolve("kustomization.yaml").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collect(Path dir, Kustomization k, List<Resource> out) {
        for (String entry : k.resources() == null ? List.<String>of() : k.resources()) {
            Path p = dir.resolve(entry).normalize();
            if (Files.isDirectory(p)) {
                collect(p, kustomization(p), out);
            } else {
                out.addAll(load(p));
            }
        }
        for (Kustomization.Generator g : k.configMapGenerator() == null ? List.<Kustomization.Generator>of() : k.configMapGenerator()) {
            Map<String, String> data = new LinkedHashMap<>();
            for (String f : g.files()) {
                Path file = dir.resolve(f).normalize();
                if (!file.startsWith(dir.normalize())) {
                    throw new AssertionError(file + " is outside " + dir + ": kustomize refuses to read it");
                }
                data.put(file.getFileName().toString(), read(file));
            }
            Map<String, String> labels = g.options() == null || g.options().labels() == null ? Map.of() : g.options().labels();
            ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(g.name()).withLabels(labels).endMetadata()
                    .withData(data).build();
            out.add(new Resource("ConfigMap", cm.getMetadata(), cm, dir.resolve("kustomization.yaml").toString()));
        }
    }

    /** Every document of one manifest file, loaded strictly into its type. */
    static List<Resource> load(Path file) {
        List<Resource> out = new ArrayList<>();
        try {
            int n = 0;
            for (JsonNode doc : StrictYaml.documents(Files.readString(file))) {
                n++;
                String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                Class<?> c = TYPES.get(type);
                if (c == null) {
                    throw new AssertionError(file + " document " + n + ": unexpected " + type);
                }
                Object model = StrictYaml.load(doc, c, file + " document " + n);
                out.add(new Resource(doc.path("kind").asText(), metadata(model), model, file.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static ObjectMeta metadata(Object model) {
        if (model instanceof HasMetadata h) {
            return h.getMetadata();
        }
        if (model instanceof Monitoring.ServiceMonitor s) {
            return s.metadata();
        }
        return ((Monitoring.PrometheusRule) model).metadata();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void retag(Container c, Kustomization.Image image) {
        String name = c.getImage().contains(":") ? c.getImage().substring(0, c.getImage().lastIndexOf(':')) : c.getImage();
        if (name.equals(image.name())) {
            c.setImage((image.newName() != null ? image.newName() : name) + ":" + image.newTag());
        }
    }

    private static Stream<Container> containers(Resource r) {
        return workload(r).map(w -> Stream.concat(w.template().getSpec().getContainers().stream(),
                w.template().getSpec().getInitContainers().stream())).orElse(Stream.empty());
    }

    static Optional<Workload> workload(Resource r) {
        if (r.model() instanceof Deployment d) {
            return Optional.of(new Workload(r.kind(), r.name(), d.getSpec().getTemplate(), d.getSpec().getReplicas(), Optional.empty(),
                    List.of()));
        }
        if (r.model() instanceof StatefulSet s) {
            return Optional.of(new Workload(r.kind(), r.name(), s.getSpec().getTemplate(), s.getSpec().getReplicas(),
                    Optional.ofNullable(s.getSpec().getServiceName()),
                    s.getSpec().getVolumeClaimTemplates().stream().map(c -> c.getMetadata().getName()).toList()));
        }
        if (r.model() instanceof Job j) {
            return Optional.of(new Workload(r.kind(), r.name(), j.getSpec().getTemplate(), 1, Optional.empty(), List.of()));
        }
        return Optional.empty();
    }

    List<Workload> workloads() {
        return resources.stream().map(Rendering::workload).flatMap(Optional::stream).toList();
    }

    Workload workload(String name) {
        return workloads().stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no workload " + name));
    }

    <T> List<T> all(Class<T> type) {
        return resources.stream().map(Resource::model).filter(type::isInstance).map(type::cast).toList();
    }

    <T> T one(Class<T> type, String name) {
        return resources.stream().filter(r -> type.isInstance(r.model()) && r.name().equals(name)).map(r -> type.cast(r.model()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in the rendering"));
    }

    /** A container of a workload, by name. */
    Container container(String workload, String container) {
        PodTemplateSpec t = workload(workload).template();
        return Stream.concat(t.getSpec().getContainers().stream(), t.getSpec().getInitContainers().stream())
                .filter(c -> c.getName().equals(container)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + container + " in " + workload));
    }
}
