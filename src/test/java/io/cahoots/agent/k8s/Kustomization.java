package io.cahoots.agent.k8s;

import java.util.List;
import java.util.Map;

/**
 * The fields of a {@code kustomization.yaml} the kit uses; any other field fails loading, so {@link Rendering} never
 * silently renders less than {@code kubectl kustomize} would.
 */
record Kustomization(String apiVersion, String kind, String namespace, List<String> resources,
                     List<Generator> configMapGenerator, List<Image> images) {

    record Generator(String name, List<String> files, Options options) {
    }

    record Options(Boolean disableNameSuffixHash, Map<String, String> labels) {
    }

    record Image(String name, String newName, String newTag) {
    }
}
