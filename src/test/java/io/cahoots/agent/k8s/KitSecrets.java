package io.cahoots.agent.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-role Secrets of the kit (docs/deployment.md) as the tests give them: a different password per Secret, so a
 * container that used another role's Secret, or a user that accepted another role's password, fails the test.
 */
final class KitSecrets {

    static final Map<String, String> PASSWORDS = Map.of(
            "cahoots-redis-agent", "agentA0123456789abcdef0123456789",
            "cahoots-redis-app", "appB0123456789abcdef0123456789ab",
            "cahoots-redis-replication", "replC0123456789abcdef0123456789",
            "cahoots-redis-admin", "adminD0123456789abcdef012345678",
            "cahoots-sentinel", "sentinelE0123456789abcdef012345");
    static final Path USERS_ACL = Path.of("redis-conf/users.acl");

    private KitSecrets() {
    }

    static String password(String secret) {
        String p = PASSWORDS.get(secret);
        if (p == null) {
            throw new AssertionError("no test password for Secret " + secret);
        }
        return p;
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Placeholder ({@code #AGENT_PASSWORD_SHA256}) -> Secret, from the variables of the data pods' init container. */
    static Map<String, String> placeholders(Container acl) {
        Map<String, String> out = new LinkedHashMap<>();
        for (EnvVar e : acl.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                out.put("#" + e.getName() + "_SHA256", e.getValueFrom().getSecretKeyRef().getName());
            }
        }
        return out;
    }

    /** What render-acl.sh must write: the user lines of users.acl, each placeholder the SHA-256 of its Secret's password. */
    static List<String> expectedUsers(Container acl) {
        Map<String, String> ph = placeholders(acl);
        return Rendering.read(USERS_ACL).lines().filter(l -> l.startsWith("user ")).map(l -> {
            String r = l;
            for (Map.Entry<String, String> e : ph.entrySet()) {
                r = r.replace(e.getKey(), "#" + sha256Hex(password(e.getValue())));
            }
            return r;
        }).toList();
    }

    /**
     * Runs a data pod's init container "acl" (render-acl.sh) as the kubelet would, with its emptyDir at a scratch
     * directory; returns that directory, which the caller mounts at the same path for the pod's main container.
     */
    static Path renderAcl(KitProcesses kit, String workload, String pod) {
        Container acl = ManifestsTest.KIT.container(workload, "acl");
        String mountPath = acl.getVolumeMounts().stream().filter(m -> m.getName().equals("acl")).findFirst().orElseThrow().getMountPath();
        Path dir = kit.scratch(pod + "-acl");
        kit.mount(mountPath, dir);
        Map<String, String> env = kit.environment(acl, Map.of(), PASSWORDS, Map.of());
        kit.runToEnd(kit.scratch(pod + "-acl-run"), env, kit.commandLine(acl, env), Duration.ofSeconds(20));
        return dir;
    }
}
