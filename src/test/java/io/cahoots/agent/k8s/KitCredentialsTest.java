package io.cahoots.agent.k8s;

import io.cahoots.agent.redis.AclRules;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-role credentials in the kit: which container reads which Secret (no client reads another role's), data nodes
 * load the rendered users.acl instead of a shared requirepass, every user a manifest names exists in users.acl with
 * the rights its use needs, render-acl.sh writes users.acl with the hashes, and docs/deployment.md creates exactly
 * the Secrets the kit reads.
 */
class KitCredentialsTest {

    static final Rendering KIT = ManifestsTest.KIT;
    static final Path RENDER = Rendering.K8S.resolve("redis/render-acl.sh");

    /**
     * Every container and the Secrets it reads. Clients read their own role's alone; the data pods' init container
     * reads the four data-node roles only to hash them; the data nodes themselves hold the replication password
     * (masterauth, probes) and, in the Sentinel group, the Sentinels' password to ask who the master is.
     */
    static final Map<String, Set<String>> READS = Map.of(
            "cahoots-api/api", Set.of("cahoots-redis-app"),
            "cahoots-api/agent", Set.of("cahoots-redis-agent", "cahoots-sentinel", "cahoots-agent"),
            "redis-cluster/acl", Set.of("cahoots-redis-agent", "cahoots-redis-app", "cahoots-redis-replication", "cahoots-redis-admin"),
            "redis-cluster/redis", Set.of("cahoots-redis-replication"),
            "redis-cluster-create/create", Set.of("cahoots-redis-admin"),
            "redis-ha/acl", Set.of("cahoots-redis-agent", "cahoots-redis-app", "cahoots-redis-replication", "cahoots-redis-admin"),
            "redis-ha/redis", Set.of("cahoots-redis-replication", "cahoots-sentinel"),
            "redis-sentinel/prepare", Set.of("cahoots-sentinel", "cahoots-redis-replication"),
            "redis-sentinel/sentinel", Set.of("cahoots-sentinel"),
            "cahoots-nginx/nginx", Set.of());

    @Test
    void eachContainerReadsExactlyTheSecretsOfItsRole() {
        Map<String, Set<String>> actual = new TreeMap<>();
        for (Rendering.Workload w : KIT.workloads()) {
            PodSpecs.containers(w).forEach(c -> actual.put(w.name() + "/" + c.getName(), secretsOf(c)));
            // No Secret reaches a pod as a volume either (the TLS variant's certificates are an alternative, not the kit).
            assertThat(w.template().getSpec().getVolumes()).as(w.name()).allSatisfy(v -> assertThat(v.getSecret()).isNull());
        }
        assertThat(actual).isEqualTo(new TreeMap<>(READS));
        // The application's and the agent's passwords never meet in one long-running container, nor the admin's
        // with anyone's but the Job and the hashing step.
        actual.forEach((c, s) -> {
            if (!c.endsWith("/acl")) {
                assertThat(s.stream().filter(x -> x.startsWith("cahoots-redis-") && !x.equals("cahoots-redis-replication")))
                        .as(c).hasSizeLessThanOrEqualTo(1);
            }
        });
        assertThat(actual.values().stream().flatMap(Set::stream)).doesNotContain("cahoots-redis");
    }

    @Test
    void dataNodesLoadTheRenderedAclFileAndNoLongerUseRequirepass() {
        for (String workload : List.of("redis-cluster", "redis-ha")) {
            Container acl = KIT.container(workload, "acl");
            Container redis = KIT.container(workload, "redis");
            assertThat(KIT.workload(workload).template().getSpec().getInitContainers()).extracting(Container::getName).containsExactly("acl");
            assertThat(acl.getCommand()).containsExactly("sh", "/scripts/render-acl.sh");
            Map<String, String> env = ManifestsTest.env(acl);
            assertThat(env.get("TEMPLATE")).isEqualTo("/etc/redis/users.acl");
            String out = env.get("OUT_DIR");
            // The rendered files live in a memory-backed emptyDir, written by the init container, read-only for Redis.
            assertThat(mount(acl, "acl").getMountPath()).isEqualTo(out);
            assertThat(mount(acl, "acl").getReadOnly()).isNotEqualTo(Boolean.TRUE);
            assertThat(mount(redis, "acl").getMountPath()).isEqualTo(out);
            assertThat(mount(redis, "acl").getReadOnly()).isTrue();
            Volume v = KIT.workload(workload).template().getSpec().getVolumes().stream().filter(x -> x.getName().equals("acl")).findFirst().orElseThrow();
            assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
            // Every placeholder of users.acl has a variable in the init container, and every one of them a Secret.
            Set<String> placeholders = new TreeSet<>();
            Matcher m = Pattern.compile("#[A-Z_]+_SHA256").matcher(Rendering.read(KitSecrets.USERS_ACL));
            while (m.find()) {
                placeholders.add(m.group());
            }
            assertThat(KitSecrets.placeholders(acl).keySet()).containsExactlyInAnyOrderElementsOf(placeholders);

            String command = String.join(" ", Stream.concat(redis.getCommand().stream(), redis.getArgs().stream()).toList());
            String all = command + " " + redis.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).collect(Collectors.joining(" "));
            assertThat(all.toLowerCase()).as(workload).doesNotContain("requirepass").doesNotContain("--masterauth");
            if (workload.equals("redis-cluster")) {
                assertThat(redis.getArgs()).containsSubsequence("--aclfile", out + "/users.acl").containsSubsequence("--include", out + "/replication.conf");
            } else {
                assertThat(ManifestsTest.env(redis)).containsEntry("ACL_DIR", out);
            }
        }
        String ha = Rendering.read(Rendering.K8S.resolve("redis/start-ha-node.sh"));
        assertThat(ha).contains("--aclfile \"$ACL_DIR/users.acl\" --include \"$ACL_DIR/replication.conf\"").doesNotContain("--requirepass").doesNotContain("--masterauth");
        String render = Rendering.read(RENDER);
        assertThat(render).contains("masteruser cahoots-replication");
    }

    @Test
    void everyUserTheKitNamesExistsWithTheRightsItsUseNeeds() {
        Map<String, String> users = users();
        assertThat(users).containsOnlyKeys("default", "cahoots-agent", "cahoots-app", "cahoots-replication", "cahoots-admin");
        assertThat(users.get("default")).isEqualTo("off");
        // The agent: exactly AclRules.
        assertThat(ManifestsTest.env(KIT.container("cahoots-api", "agent"))).containsEntry("AGENT_REDIS_USERNAME", "cahoots-agent");
        assertThat(users.get("cahoots-agent")).endsWith(" " + AclRules.rule());
        // The applications.
        assertThat(ManifestsTest.env(KIT.container("cahoots-api", "api"))).containsEntry("REDIS_USERNAME", "cahoots-app");
        assertThat(users.get("cahoots-app")).contains("-@admin", "-@dangerous").doesNotContain("+@admin");
        // The Job: redis-cli --cluster create needs CLUSTER ADDSLOTS/SET-CONFIG-EPOCH/MEET/REPLICATE: admin, +@all.
        assertThat(ManifestsTest.env(KIT.container("redis-cluster-create", "create"))).containsEntry("REDIS_USER", "cahoots-admin");
        assertThat(users.get("cahoots-admin")).endsWith("+@all");
        // Sentinels and replicas.
        assertThat(ManifestsTest.env(KIT.container("redis-sentinel", "prepare"))).containsEntry("AUTH_USER", "cahoots-replication");
        assertThat(Rendering.read(RENDER)).contains("masteruser cahoots-replication");
        assertThat(users.get("cahoots-replication")).contains("+psync", "+replconf", "+ping", "+info", "+replicaof", "+config|rewrite", "+client|kill");
        // Probes and preStop of the data nodes (probe.sh, pre-stop.sh) run as cahoots-replication with its password (PING,
        // INFO, CLUSTER INFO; CLUSTER FAILOVER on a replica before a master stops); Sentinel probes with Sentinel's.
        assertThat(users.get("cahoots-replication")).contains("+cluster|info", "+cluster|myid", "+cluster|nodes", "+cluster|failover");
        for (String script : List.of("redis/probe.sh", "redis/pre-stop.sh")) {
            assertThat(Rendering.read(Rendering.K8S.resolve(script))).contains("REDIS_USER=\"${REDIS_USER:-cahoots-replication}\"");
        }
        for (String w : List.of("redis-cluster", "redis-ha")) {
            Container redis = KIT.container(w, "redis");
            assertThat(ManifestsTest.env(redis)).doesNotContainKey("REDIS_USER");
            for (Probe p : Stream.of(redis.getStartupProbe(), redis.getReadinessProbe(), redis.getLivenessProbe()).filter(Objects::nonNull).toList()) {
                assertThat(String.join(" ", p.getExec().getCommand())).as(w).matches("sh /scripts/probe\\.sh (live|ready)");
            }
            assertThat(redis.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sh", "/scripts/pre-stop.sh");
            assertThat(secretOf(redis, "REDISCLI_AUTH")).isEqualTo("cahoots-redis-replication");
        }
        assertThat(secretOf(KIT.container("redis-sentinel", "sentinel"), "REDISCLI_AUTH")).isEqualTo("cahoots-sentinel");
        assertThat(secretOf(KIT.container("redis-cluster-create", "create"), "REDISCLI_AUTH")).isEqualTo("cahoots-redis-admin");
    }

    @Test
    void theRenderingScriptWritesUsersAclWithTheHashesOfEachRolesPassword(@TempDir Path tmp) throws Exception {
        for (String workload : List.of("redis-cluster", "redis-ha")) {
            Container acl = KIT.container(workload, "acl");
            Path out = Files.createDirectories(tmp.resolve(workload));
            Map<String, String> env = renderEnv(acl, out);
            Tools.Result r = run(env);
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("render-acl: 5 users written to " + out + "/users.acl");
            List<String> rendered = Files.readAllLines(out.resolve("users.acl"));
            assertThat(rendered).isEqualTo(KitSecrets.expectedUsers(acl));
            // Each role's hash sits on its own user's line.
            assertThat(rendered).anySatisfy(l -> assertThat(l).startsWith("user cahoots-app on #"
                    + KitSecrets.sha256Hex(KitSecrets.password("cahoots-redis-app")) + " "));
            assertThat(String.join("\n", rendered)).doesNotContain("_SHA256");
            for (String pw : KitSecrets.PASSWORDS.values()) {
                assertThat(String.join("\n", rendered)).doesNotContain(pw);
            }
            assertThat(Files.readAllLines(out.resolve("replication.conf"))).contains("masteruser cahoots-replication",
                    "masterauth \"" + KitSecrets.password("cahoots-redis-replication") + "\"");
            for (String f : List.of("users.acl", "replication.conf")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f)))).as(f).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void theRenderingScriptStopsThePodOnAMissingPasswordOrALeftoverPlaceholder(@TempDir Path out) throws Exception {
        Container acl = KIT.container("redis-cluster", "acl");
        Map<String, String> env = renderEnv(acl, out);
        env.remove("APP_PASSWORD");
        Tools.Result r = run(env);
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("APP_PASSWORD (Secret cahoots-redis-app) is missing");
        assertThat(out.resolve("users.acl")).doesNotExist();

        Path template = out.resolve("template.acl");
        Files.writeString(template, Rendering.read(KitSecrets.USERS_ACL) + "user extra on #EXTRA_PASSWORD_SHA256 +ping\n");
        env = renderEnv(acl, out);
        env.put("TEMPLATE", template.toString());
        r = run(env);
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("a placeholder is left").contains("#EXTRA_PASSWORD_SHA256");
        assertThat(out.resolve("users.acl")).doesNotExist();
    }

    @Test
    void theDeploymentGuideCreatesExactlyTheSecretsTheKitReads() {
        String guide = Rendering.read(Path.of("docs/deployment.md"));
        Set<String> created = new TreeSet<>();
        Matcher m = Pattern.compile("kubectl -n cahoots create secret generic ([a-z0-9-]+) --from-literal=([a-z-]+)=").matcher(guide);
        Set<String> keys = new TreeSet<>();
        while (m.find()) {
            created.add(m.group(1));
            keys.add(m.group(1) + "/" + m.group(2));
        }
        Set<String> read = new TreeSet<>();
        Set<String> readKeys = new TreeSet<>();
        for (Rendering.Workload w : KIT.workloads()) {
            PodSpecs.containers(w).forEach(c -> c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> {
                        read.add(e.getValueFrom().getSecretKeyRef().getName());
                        readKeys.add(e.getValueFrom().getSecretKeyRef().getName() + "/" + e.getValueFrom().getSecretKeyRef().getKey());
                    }));
        }
        assertThat(created).isEqualTo(read);
        assertThat(keys).isEqualTo(readKeys);
    }

    @Test
    void theTlsVariantGivesEveryRoleACertificateSecretOfItsOwn() throws Exception {
        Path file = Rendering.K8S.resolve("alternatives/redis-tls.yaml");
        List<io.fabric8.kubernetes.api.model.Secret> secrets = new ArrayList<>();
        for (var doc : StrictYaml.documents(Rendering.read(file))) {
            assertThat(doc.path("apiVersion").asText() + "/" + doc.path("kind").asText()).isEqualTo("v1/Secret");
            secrets.add(StrictYaml.load(doc, io.fabric8.kubernetes.api.model.Secret.class, file.toString()));
        }
        assertThat(secrets).extracting(x -> x.getMetadata().getName()).containsExactly("cahoots-redis-tls", "cahoots-sentinel-tls",
                "cahoots-agent-tls", "cahoots-app-tls", "cahoots-admin-tls");
        for (io.fabric8.kubernetes.api.model.Secret s : secrets) {
            assertThat(s.getType()).isEqualTo("kubernetes.io/tls");
            assertThat(s.getStringData()).as(s.getMetadata().getName()).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
            assertThat(s.getStringData().values()).as("placeholders only, never a real key").allSatisfy(v -> assertThat(v).startsWith("<PEM"));
        }
        String text = Rendering.read(file);
        assertThat(text).contains("NOT IN k8s/kustomization.yaml");
        // Every container of the kit that talks to Redis or Sentinel is given its role's certificate, and the password
        // Secrets stay (the per-role users do not change with TLS).
        for (String container : List.of("redis-cluster/redis", "redis-ha/redis", "redis-sentinel/prepare", "redis-sentinel/sentinel",
                "cahoots-api/agent", "cahoots-api/api", "redis-cluster-create/create")) {
            assertThat(READS).containsKey(container);
            assertThat(text).as(container).contains(container);
        }
        assertThat(text).contains("AGENT_REDIS_USERNAME/_PASSWORD unchanged", "auth-pass unchanged", "user cahoots-app as before");
        assertThat(KIT.root.resources()).noneMatch(r -> r.contains("redis-tls"));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** users.acl: user name -> the rest of its line. */
    static Map<String, String> users() {
        Map<String, String> out = new HashMap<>();
        for (String l : Rendering.read(KitSecrets.USERS_ACL).lines().filter(l -> l.startsWith("user ")).toList()) {
            String[] w = l.split(" ", 3);
            assertThat(out).doesNotContainKey(w[1]);
            out.put(w[1], w[2]);
        }
        return out;
    }

    private static Map<String, String> renderEnv(Container acl, Path out) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : acl.getEnv()) {
            env.put(e.getName(), e.getValue() != null ? e.getValue() : KitSecrets.password(e.getValueFrom().getSecretKeyRef().getName()));
        }
        env.put("TEMPLATE", KitSecrets.USERS_ACL.toAbsolutePath().toString());
        env.put("OUT_DIR", out.toString());
        return env;
    }

    private static Tools.Result run(Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=" + System.getenv("PATH")));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("dash", RENDER.toString()));
        return Tools.run(Path.of("."), "install dash (Debian's /bin/sh)", cmd.toArray(String[]::new));
    }

    private static Set<String> secretsOf(Container c) {
        return c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .map(e -> e.getValueFrom().getSecretKeyRef().getName()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String secretOf(Container c, String variable) {
        return c.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst().orElseThrow().getValueFrom().getSecretKeyRef().getName();
    }

    private static VolumeMount mount(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " does not mount " + volume));
    }

    /** Containers and init containers of a workload's pod. */
    static final class PodSpecs {
        static Stream<Container> containers(Rendering.Workload w) {
            return Stream.concat(w.template().getSpec().getContainers().stream(), w.template().getSpec().getInitContainers().stream());
        }
    }
}
