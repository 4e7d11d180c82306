package io.cahoots.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import io.cahoots.agent.redis.AclRules;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.containers.ContainerLauncher;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * The agent's own image, built from {@code src/main/docker/Dockerfile.jvm} and run the way {@code k8s/api.yaml} runs
 * the sidecar: the manifest's environment and JVM options, its memory limit (384 MiB, swap off), a read-only root
 * file system with {@code /tmp} writable, every capability dropped, no privilege escalation, the image's user 185.
 * Against a lab of containers (cluster 3x1 + Sentinel group, the kit's password) it reaches ready, serves the
 * walkthrough's reads, and stays inside its limit. Prints the image size, start-up time and RSS (bench/image.sh).
 *
 * <p>Differences from the pod, all forced by the test machine: host network (no bridge here) so the HTTP port is a
 * free loopback port and {@code quarkus.http.host} is 127.0.0.1 instead of 0.0.0.0; no Kubernetes API (scaling is on
 * as in the manifest and only reports that it cannot read the Deployment). The base image is
 * {@code cahoots.image.base} (default the local {@code cahoots-java-base:17} of scripts/docker-up.sh).
 */
class AgentImageContainerIT {

    /** The kit's agent user and its password (Secret cahoots-redis-agent), as KitAclIT gives the data nodes. */
    static final String AGENT_USER = "cahoots-agent";
    static final String IMAGE = System.getProperty("cahoots.agent.image", "cahoots-agent:0.1.0");
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theImageRunsWithTheKitsEnvironmentLimitAndReadOnlyRootAndServesTheWalkthrough() throws Exception {
        long imageBytes = buildImage();
        Container agent = SidecarIT.KIT.container("cahoots-api", "agent");
        long limit = Quantity.getAmountInBytes(agent.getResources().getLimits().get("memory")).longValueExact();
        assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(agent.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));

        try (RedisLab lab = RedisLab.start(LabSpec.builder().launcher(new ContainerLauncher())
                .masters(3).replicasPerMaster(1).sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                .extraUser(AGENT_USER, KitSecrets.password("cahoots-redis-agent"), AclRules.rule())
                .sentinelPassword(SidecarIT.SENTINEL_PASSWORD).clusterNodeTimeoutMillis(5000).build());
             KitProcesses kit = new KitProcesses()) {
            for (int i = 0; i < 3; i++) {
                kit.address("redis-cluster-" + i + ".redis-cluster:6379", lab.masters().get(i));
                kit.address("redis-sentinel-" + i + ".redis-sentinel:26379", lab.sentinels().get(i));
            }
            int port = kit.port();
            Map<String, String> env = kit.environment(agent, SidecarIT.NO_FIELDS, SidecarIT.SECRETS, Map.of(
                    "QUARKUS_HTTP_PORT", Integer.toString(port),
                    "KUBECONFIG", "/tmp/no-kubeconfig"));
            assertThat(env.get("JAVA_OPTS_APPEND")).contains("-Dquarkus.http.host=0.0.0.0");
            // Host network: loopback only.
            env.put("JAVA_OPTS_APPEND", env.get("JAVA_OPTS_APPEND").replace("-Dquarkus.http.host=0.0.0.0", "-Dquarkus.http.host=127.0.0.1"));

            @SuppressWarnings("resource")
            GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                    .withNetworkMode("host")
                    .withEnv(env)
                    .withTmpFs(Map.of("/tmp", "rw,size=64m"))
                    .waitingFor(new AbstractWaitStrategy() {
                        @Override
                        protected void waitUntilReady() {
                        }
                    })
                    .withCreateContainerCmdModifier(create -> create.getHostConfig()
                            .withMemory(limit).withMemorySwap(limit)
                            .withReadonlyRootfs(true)
                            .withCapDrop(Capability.ALL)
                            .withSecurityOpts(List.of("no-new-privileges")));
            long t0 = System.nanoTime();
            c.start();
            try {
                String base = "http://127.0.0.1:" + port;
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    assertThat(c.isRunning()).as("agent container running; logs:\n%s", c.getLogs()).isTrue();
                    assertThat(status(base + "/q/health/ready")).isEqualTo(200);
                });
                long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(status(base + "/q/health/started")).isEqualTo(200);
                assertThat(status(base + "/q/health/live")).isEqualTo(200);

                // The walkthrough's reads: the cluster, the Sentinel group, the metrics.
                JsonNode cluster = json(base + "/api/v1/cluster");
                assertThat(cluster.get("state").asText()).isEqualTo("ok");
                assertThat(StreamSupport.stream(cluster.get("nodes").spliterator(), false)
                        .filter(n -> n.get("role").asText().equals("master")))
                        .hasSize(3).allSatisfy(n -> assertThat(n.get("slotCount").asInt()).isPositive());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode m = json(base + "/api/v1/sentinel").get("masters").get("mymaster");
                    assertThat(m.get("address").asText()).isEqualTo(lab.sentinelPrimary().toString());
                    assertThat(m.get("quorumReachable").asBoolean()).isTrue();
                });
                assertThat(get(base + "/q/metrics").body()).contains("cahoots_cluster_state_ok 1.0");

                // Memory under a little load, against the limit.
                for (int i = 0; i < 100; i++) {
                    get(base + "/api/v1/cluster");
                    get(base + "/q/metrics");
                }
                Thread.sleep(1000); // deliberate: a second for the load's garbage and buffers to settle before reading the RSS
                InspectContainerResponse info = c.getContainerInfo();
                long pid = ContainerLauncher.docker().inspectContainerCmd(c.getContainerId()).exec().getState().getPidLong();
                long rss = rssKib(pid) * 1024;
                System.out.printf("FIGURE agent image %s: %d MB (%d MiB) on base %s%n", IMAGE, imageBytes / 1_000_000,
                        imageBytes >> 20, System.getProperty("cahoots.image.base", "cahoots-java-base:17"));
                System.out.printf("FIGURE agent image start-up (container start to /q/health/ready 200): %d ms%n", startMillis);
                System.out.printf("FIGURE agent image RSS after 200 requests: %d MiB of its %d MiB limit (read-only root, JAVA_OPTS_APPEND=\"%s\")%n",
                        rss >> 20, limit >> 20, env.get("JAVA_OPTS_APPEND"));
                assertThat(info.getHostConfig().getReadonlyRootfs()).isTrue();
                assertThat(info.getHostConfig().getMemory()).isEqualTo(limit);
                assertThat(rss).as("RSS against 80%% of the memory limit").isLessThan(limit * 8 / 10);
                assertThat(ContainerLauncher.docker().inspectContainerCmd(c.getContainerId()).exec().getState().getOOMKilled()).isFalse();
                assertThat(c.getLogs()).doesNotContain("Read-only file system");
            } catch (Throwable t) {
                System.err.println("agent container logs:\n" + c.getLogs());
                throw t;
            } finally {
                c.stop();
            }
        }
    }

    /** docker build of Dockerfile.jvm with the local base; returns the image's size. */
    static long buildImage() throws Exception {
        Path project = Path.of(System.getProperty("cahoots.project.dir", ".")).toAbsolutePath();
        assertThat(project.resolve("target/quarkus-app/quarkus-run.jar")).as("run `mvn package` first").exists();
        String base = System.getProperty("cahoots.image.base", "cahoots-java-base:17");
        Path log = Files.createTempFile("docker-build-", ".log");
        Process p = new ProcessBuilder("docker", "build", "-q", "-f", "src/main/docker/Dockerfile.jvm",
                "--build-arg", "BASE_IMAGE=" + base, "-t", IMAGE, ".")
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("docker build within 5 minutes").isTrue();
        assertThat(p.exitValue()).as("docker build:\n%s", Files.readString(log)).isZero();
        Files.deleteIfExists(log);
        return ContainerLauncher.docker().inspectImageCmd(IMAGE).exec().getSize();
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private int status(String url) {
        try {
            return get(url).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String url) throws Exception {
        return JSON.readTree(get(url).body());
    }
}
