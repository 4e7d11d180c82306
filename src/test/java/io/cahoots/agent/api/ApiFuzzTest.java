package io.cahoots.agent.api;

import io.cahoots.agent.testing.LabResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input, systematically: every endpoint gets random and malformed JSON, wrong types, huge bodies, odd
 * content types, path tricks and header injection, with no token, a wrong token and the admin token.
 *
 * <p>Each answer must be below 500 and free of anything that tells an attacker how the agent is built (a stack
 * frame, a Java class or package name, a parser message naming Java types). Nothing may change: the same jobs
 * and the same topology version before and after. Bodies sent with the admin token are invalid by
 * construction (unknown fields, wrong types, broken syntax): a valid body would rightly start a job.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class ApiFuzzTest {

    /** What must never appear in an answer: Java packages and types, exception names, stack frames. */
    private static final Pattern LEAK = Pattern.compile(
            "java\\.|javax\\.|jakarta\\.|com\\.fasterxml|io\\.vertx|org\\.jboss|io\\.quarkus|io\\.cahoots|redis\\.clients"
                    + "|Exception|LinkedHashMap|HashMap|ArrayList|\\bat [a-z]+\\.[a-z]|\\.java:\\d|Caused by");

    private static final String[] MUTATING = {
            "POST /api/v1/rebalance", "POST /api/v1/cluster/nodes", "POST /api/v1/cluster/fix",
            "POST /api/v1/capacity", "POST /api/v1/jobs/%s/cancel", "DELETE /api/v1/cluster/nodes/%s"};
    private static final String[] READS = {
            "GET /api/v1/cluster", "GET /api/v1/cluster/check", "GET /api/v1/jobs", "GET /api/v1/jobs/%s",
            "GET /api/v1/sentinel", "GET /api/v1/topology", "GET /api/v1/scaling", "GET /api/v1/policy",
            "GET /", "GET /q/health/ready", "GET /q/health/live"};

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private final Random random = new Random(17);
    private int sent;
    private final List<String> failures = new ArrayList<>();

    @Test
    void noBadInputBreaksLeaksOrChangesAnything() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
        String jobsBefore = RestAssured.get("/api/v1/jobs").asString();
        long versionBefore = RestAssured.get("/api/v1/cluster").jsonPath().getLong("version");

        for (String endpoint : MUTATING) {
            for (String token : new String[]{null, "Bearer wrong-token-wrong-token", "Bearer " + LabResource.ADMIN_TOKEN}) {
                for (String body : malformedBodies()) {
                    for (String type : contentTypes()) {
                        send(endpoint, token, type, body.getBytes(StandardCharsets.UTF_8), "");
                    }
                }
                send(endpoint, token, "application/json", hugeBody(12 * 1024 * 1024), "");
                send(endpoint, token, "application/json", hugeBody(256 * 1024), "");
                send(endpoint, token, "application/json", deepNesting(5000).getBytes(StandardCharsets.UTF_8), "");
                send(endpoint, token, "application/json", randomBytes(2048), "");
            }
        }
        for (String endpoint : concat(MUTATING, READS)) {
            for (String trick : pathTricks()) {
                send(endpoint.replace("%s", trick), "Bearer " + LabResource.ADMIN_TOKEN, "application/json", "{\"x\":1}".getBytes(), "");
                send(endpoint.replace("%s", trick), null, null, null, "");
            }
            for (String header : injectedHeaders()) {
                send(endpoint, null, "application/json", "{\"zz\":1}".getBytes(), header);
            }
        }
        for (String trick : pathTricks()) {
            send("GET /api/v1/" + trick, null, null, null, "");
            send("GET /" + trick, null, null, null, "");
            send("POST /api/v1/" + trick, "Bearer " + LabResource.ADMIN_TOKEN, "application/json", "{\"zz\":1}".getBytes(), "");
        }
        for (String method : new String[]{"PUT", "PATCH", "TRACE", "OPTIONS", "PROPFIND", "HEAD"}) {
            for (String endpoint : concat(MUTATING, READS)) {
                send(method + " " + endpoint.split(" ")[1].replace("%s", "x"), "Bearer " + LabResource.ADMIN_TOKEN,
                        "application/json", "{\"zz\":1}".getBytes(), "");
            }
        }

        System.out.printf("ApiFuzzTest sent %d requests, %d bad answers%n", sent, failures.size());
        assertThat(failures).as("answers that broke a rule").isEmpty();
        assertThat(RestAssured.get("/api/v1/jobs").asString()).as("no job started").isEqualTo(jobsBefore);
        assertThat(RestAssured.get("/api/v1/cluster").jsonPath().getLong("version")).as("topology unchanged").isEqualTo(versionBefore);
        assertThat(RestAssured.get("/api/v1/cluster/check").jsonPath().getBoolean("ok")).isTrue();
    }

    /** The rebuilt details still help: they name the field and the JSON kind expected, never a Java type. */
    @Test
    void malformedJsonDetailsNameTheFieldAndTheKind() {
        io.restassured.specification.RequestSpecification admin = RestAssured.given()
                .header("Authorization", "Bearer " + LabResource.ADMIN_TOKEN).contentType("application/json");
        admin.body("{\"allowUnreachable\": 3}").post("/api/v1/cluster/fix").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("field 'allowUnreachable': expected true or false"));
        admin.body("{\"weights\": [1]}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("field 'weights': expected an object"));
        admin.body("{\"weights\": {\"a\": \"b\"}}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("field 'weights.a': expected a number"));
        admin.body("{\"junk\": 1}").post("/api/v1/cluster/fix").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.equalTo("unknown field 'junk'; the fields are allowUnreachable, replace"));
        admin.body("{\"dryRun\": tru}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.startsWith("not valid JSON at line 1, column"));
    }

    private void send(String endpoint, String authorization, String contentType, byte[] body, String extraHeaders) throws Exception {
        String[] parts = endpoint.split(" ", 2);
        String target = parts[1].replace("%s", "no-such-job-" + random.nextInt(1000));
        StringBuilder headers = new StringBuilder(extraHeaders);
        if (authorization != null) {
            headers.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (contentType != null) {
            headers.append("Content-Type: ").append(contentType).append("\r\n");
        }
        RawHttp.Answer a = RawHttp.send(port, parts[0], target, headers.toString(), body);
        sent++;
        String what = parts[0] + " " + target + " [" + (body == null ? 0 : body.length) + " bytes, " + contentType + "] -> ";
        if (a.status() < 0) {
            failures.add(what + "no HTTP answer");
        } else if (a.status() >= 500) {
            failures.add(what + a.status() + " " + abbreviate(a.body()));
        } else if (LEAK.matcher(a.all()).find()) {
            failures.add(what + a.status() + " leaks: " + abbreviate(a.all()));
        } else if (a.status() < 300 && parts[0].matches("POST|DELETE|PUT|PATCH") && target.startsWith("/api/v1/")
                && !target.startsWith("/api/v1/rebalance") && !target.startsWith("/api/v1/capacity")) {
            // Only the API mutates; Quarkus' health endpoints answer any method and change nothing.
            failures.add(what + a.status() + " accepted a bad mutation: " + abbreviate(a.body()));
        }
    }

    private List<String> malformedBodies() {
        List<String> bodies = new ArrayList<>(List.of(
                "{", "}", "{\"dryRun\":", "{\"dryRun\": tru}", "{'dryRun': false}", "[]", "[{}]", "\"text\"", "42",
                "{\"dryRun\": \"no\"}", "{\"dryRun\": {}}", "{\"thresholdPercent\": \"x\"}", "{\"thresholdPercent\": []}",
                "{\"weights\": [1, 2]}", "{\"weights\": {\"a\": \"b\"}}", "{\"weights\": {\"a\": {}}}", "{\"weights\": 5}",
                "{\"snapshotVersion\": 1.5e400}", "{\"snapshotVersion\": \"x\"}", "{\"address\": 5}", "{\"address\": []}",
                "{\"address\": {\"host\": 1}}", "{\"role\": {}}", "{\"rebalance\": \"maybe\"}", "{\"allowUnreachable\": 3}",
                "{\"replace\": [true]}", "{\"requestsPerSecond\": \"fast\"}", "{\"peakFactor\": {}}",
                "{\"dryRun\": false, \"dryRun\": false, \"extra\": 1}", "{\"\\u0000\": 1}", "{\"a\": \"\\ud800\"}",
                "{\"dryRun\": NaN}", "{\"dryRun\": 1e99999}", "{\"x\": 1} trailing", "\u0000\u0001\u0002", "{/* c */}",
                "{\"address\": \"127.0.0.1:1\", \"junk\": true}", "{\"address\": \"127.0.0.1:99999\", \"role\": 1}",
                "{\"masterId\": [\"" + "a".repeat(5000) + "\"]}", "<xml/>", "dryRun=false", "%7B%7D"));
        for (int i = 0; i < 8; i++) {
            bodies.add(randomJsonWithUnknownField());
        }
        return bodies;
    }

    /** Random but syntactically valid JSON objects whose field names no endpoint knows: must be 400, never bound. */
    private String randomJsonWithUnknownField() {
        StringBuilder b = new StringBuilder("{");
        int fields = 1 + random.nextInt(4);
        for (int i = 0; i < fields; i++) {
            b.append(i == 0 ? "" : ",").append("\"f").append(Integer.toHexString(random.nextInt())).append("\":").append(randomValue(3));
        }
        return b.append("}").toString();
    }

    private String randomValue(int depth) {
        return switch (depth <= 0 ? random.nextInt(4) : random.nextInt(6)) {
            case 0 -> Integer.toString(random.nextInt());
            case 1 -> "\"" + Long.toHexString(random.nextLong()) + "\"";
            case 2 -> random.nextBoolean() ? "true" : "null";
            case 3 -> Double.toString(random.nextGaussian() * 1e300);
            case 4 -> "[" + randomValue(depth - 1) + "," + randomValue(depth - 1) + "]";
            default -> "{\"k\":" + randomValue(depth - 1) + "}";
        };
    }

    private static List<String> contentTypes() {
        return List.of("application/json", "text/plain", "application/xml", "application/json; charset=utf-16",
                "multipart/form-data; boundary=x");
    }

    private static List<String> pathTricks() {
        return List.of("..%2F..%2Fcluster", "%2e%2e/%2e%2e/cluster", "../../etc/passwd", "%00", "%ff%fe",
                "x".repeat(4000), "%252e%252e", "a%0d%0aSet-Cookie:%20x=1", "<script>alert(1)</script>",
                "'%20OR%201=1--", "%u002e", "..;/", "~root", "%E2%80%AE");
    }

    private static List<String> injectedHeaders() {
        return List.of("X-Forwarded-For: 1.2.3.4\r\nX-Injected: yes\r\n", "Accept: */*\r\n Folded: continuation\r\n",
                "Authorization: Bearer \u0000\u0001\r\n", "Authorization: Bearer " + "x".repeat(9000) + "\r\n",
                "Authorization: Basic Og==\r\n", "If-None-Match: \"\u00ff\u00fe\"\r\n", "Accept: application/x-java-serialized-object\r\n",
                "Content-Encoding: gzip\r\n", "Transfer-Encoding: identity\r\n", "X-Http-Method-Override: DELETE\r\n");
    }

    private byte[] hugeBody(int size) {
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) 'a');
        byte[] open = "{\"address\": \"".getBytes();
        System.arraycopy(open, 0, b, 0, open.length);
        b[size - 2] = '"';
        b[size - 1] = '}';
        return b;
    }

    private static String deepNesting(int depth) {
        return "{\"weights\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String abbreviate(String s) {
        String flat = s.replace("\r\n", " | ");
        return flat.length() > 400 ? flat.substring(0, 400) + "..." : flat;
    }
}
