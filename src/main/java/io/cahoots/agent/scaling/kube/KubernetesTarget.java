package io.cahoots.agent.scaling.kube;

import io.cahoots.agent.scaling.ReplicaTarget;
import io.cahoots.agent.scaling.ScalingException;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Deployment as the agent reads and scales it. Every call here is one RBAC rule in {@code k8s/agent-rbac.yaml}:
 * {@code deployments get}, {@code deployments/scale patch}, {@code horizontalpodautoscalers list}.
 *
 * <p>Scaling ({@link #scale}), in at most {@value #ATTEMPTS} attempts:
 * <ol>
 *   <li>Read the Deployment. Replicas already at the target: done (idempotent, no write). Neither the expected
 *       count nor the target: someone else changed it; give up and let the next evaluation see the change.</li>
 *   <li>PATCH the {@code scale} subresource with a JSON merge patch {@code {"spec":{"replicas":N}}}, the same
 *       request {@code kubectl scale} makes, carrying the resourceVersion just read as a precondition, so a change
 *       made in between is a 409 instead of being overwritten.</li>
 *   <li>On 409 (often only a status update by the controller) read again and retry.</li>
 * </ol>
 */
public final class KubernetesTarget implements ReplicaTarget {

    static final int ATTEMPTS = 3;
    private static final long CALL_TIMEOUT_SECONDS = 10;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public KubernetesTarget(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public String describe() {
        return namespace + "/" + name;
    }

    @Override
    public State read() {
        Deployment d = deployment();
        return new State(replicas(d), autoscaler());
    }

    @Override
    public void scale(int from, int to) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Deployment d = deployment();
            int now = replicas(d);
            if (now == to) {
                return;
            }
            if (now != from) {
                throw new ScalingException("Deployment " + describe() + " has " + now + " replicas, not the " + from
                        + " the decision was based on: changed outside the agent meanwhile", false);
            }
            int status = patchScale(d.getMetadata().getResourceVersion(), to);
            if (HttpResponse.isSuccessful(status)) {
                return;
            }
        }
        throw new ScalingException("Deployment " + describe() + " kept changing while scaling it (409 Conflict "
                + ATTEMPTS + " times)", true);
    }

    /** @return the HTTP status: 2xx done, 409 retry; anything else throws */
    private int patchScale(String resourceVersion, int replicas) {
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/apis/apps/v1/namespaces/" + namespace
                + "/deployments/" + name + "/scale";
        String body = "{\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"},\"spec\":{\"replicas\":" + replicas + "}}";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .patch("application/merge-patch+json", body).build();
        try {
            HttpResponse<String> r = client.getHttpClient().sendAsync(request, String.class)
                    .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (r.isSuccessful() || r.code() == 409) {
                return r.code();
            }
            throw new ScalingException("PATCH " + describe() + "/scale answered " + r.code() + ": " + brief(r.body()),
                    r.code() >= 500 || r.code() == 429);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScalingException("interrupted while scaling " + describe(), true, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ScalingException("cannot reach the Kubernetes API to scale " + describe() + ": " + e, true, e);
        }
    }

    private Deployment deployment() {
        Deployment d;
        try {
            d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw translate("read Deployment " + describe(), e);
        }
        if (d == null) {
            throw new ScalingException("Deployment " + describe() + " not found (set AGENT_SCALING_NAMESPACE and "
                    + "AGENT_SCALING_DEPLOYMENT)", true);
        }
        return d;
    }

    private static int replicas(Deployment d) {
        // The API server defaults an unset spec.replicas to 1.
        return d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    /** Why the agent must only advise, if an autoscaler targets the Deployment or that cannot be checked. */
    private Optional<String> autoscaler() {
        try {
            for (HorizontalPodAutoscaler h : client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).list().getItems()) {
                CrossVersionObjectReference ref = h.getSpec() == null ? null : h.getSpec().getScaleTargetRef();
                if (ref != null && "Deployment".equals(ref.getKind()) && name.equals(ref.getName())) {
                    return Optional.of("HorizontalPodAutoscaler " + h.getMetadata().getName() + " targets Deployment "
                            + describe() + ": advising only, not fighting it");
                }
            }
            return Optional.empty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty(); // no autoscaling/v2 API at all: there can be no HPA to fight
            }
            return Optional.of("cannot tell whether a HorizontalPodAutoscaler targets Deployment " + describe() + " ("
                    + (e.getCode() > 0 ? "HTTP " + e.getCode() : e.getMessage()) + "): advising only");
        }
    }

    private ScalingException translate(String what, KubernetesClientException e) {
        int code = e.getCode();
        String detail = code == 403 ? "forbidden: apply k8s/agent-rbac.yaml to the agent's service account"
                : code > 0 ? "HTTP " + code + ": " + brief(e.getMessage()) : brief(e.getMessage());
        return new ScalingException("cannot " + what + ": " + detail, code == 0 || code >= 500 || code == 409 || code == 429, e);
    }

    private static String brief(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }
}
