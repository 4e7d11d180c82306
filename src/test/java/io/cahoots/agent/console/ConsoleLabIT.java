package io.cahoots.agent.console;

import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console end to end, as an operator uses it: the packaged agent on its lab (3 masters, 3 replicas, a
 * spare node, a Sentinel group), a real headless Chromium, every action through the page. A wrong token is
 * refused visibly; the spare joins as a master; a rebalance is previewed, run and followed to 100% while
 * the map redraws; the spare is removed again. Leaves a screenshot in target/console.png.
 */
class ConsoleLabIT {

    private static final String TOKEN = "console-it-0123456789abcdef";
    private static final Duration JOB = Duration.ofSeconds(90);
    private static final Duration UI = Duration.ofSeconds(20);
    private static final int KEYS = 30_000;

    @Test
    void anOperatorAddsTheSpareRebalancesOntoItAndRemovesItFromThePage() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_LAB", "true", "AGENT_ADMIN_TOKEN", TOKEN))) {
            agent.awaitHttp(Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.get("/q/health/ready").statusCode() == 200);
            List<HostPort> masters = addresses(agent.output(), "lab cluster masters");
            HostPort spare = addresses(agent.output(), "spare nodes").get(0);
            fill(masters.get(0), KEYS);
            String url = "http://127.0.0.1:" + port(agent) + "/";

            try (Browser b = Browser.start(1440, 1000)) {
                b.open(url);

                // The map: 3 masters covering all 16,384 slots, each with its replica; the check is clean.
                b.await(UI, "the map never showed 3 masters",
                        d -> "3".equals(b.find("#summary").getAttribute("data-masters")));
                assertThat(b.find("#summary").getAttribute("data-slots")).isEqualTo("16384");
                assertThat(b.text("#summary")).contains("cluster ok").contains("3 masters").contains("3 replicas")
                        .contains("16,384 / 16,384 slots assigned");
                List<WebElement> shards = b.all(".shard[data-role=master]");
                assertThat(shards).hasSize(3);
                assertThat(shards.stream().mapToInt(s -> Integer.parseInt(s.getAttribute("data-slots"))).sum()).isEqualTo(16384);
                assertThat(b.all(".row.replica")).hasSize(3);
                assertThat(b.all(".shard[data-role=master] svg.slotbar rect[fill^=hsl]")).hasSize(3);
                b.await(UI, "the keys written never showed", d -> keysKept(b));
                b.await(UI, "the check never reported ok", d -> b.text("#check").contains("Check ok"));
                b.await(UI, "the stream never connected", d -> "live".equals(b.find("#live").getAttribute("data-state")));
                b.await(UI, "sentinel panel", d -> b.text("#sentinel").contains("mymaster") && b.text("#sentinel").contains("reachable"));
                b.await(UI, "scaling panel", d -> b.text("#scaling").contains("disabled"));
                b.await(UI, "fleet panel", d -> b.text("#fleet").contains("Leader:") && b.all("#fleet tr[data-member]").size() == 1);

                // A wrong token is refused, in the agent's words, and nothing joins.
                b.find("#add-address").sendKeys(spare.toString());
                click(b, "#add-submit");
                enterToken(b, "not-the-admin-token-at-all");
                b.await(UI, "the refusal was not shown", d -> b.find("#nodes-error").isDisplayed());
                assertThat(b.text("#nodes-error")).isEqualTo("401 Unauthorized the bearer token is wrong");
                assertThat(b.text("#token-state")).isEqualTo("Admin token refused and forgotten");
                assertThat(b.all(".job")).isEmpty();

                // The spare joins as a master, with the right token (asked for again after the refusal).
                click(b, "#add-submit");
                enterToken(b, TOKEN);
                WebElement addJob = awaitJob(b, "add-node", "SUCCEEDED");
                assertThat(addJob.getText()).contains("add " + spare + " as master").contains("100%");
                b.await(UI, "the map never showed the spare as a 4th, empty master",
                        d -> "4".equals(b.find("#summary").getAttribute("data-masters"))
                                && !b.all(".shard[data-address='" + spare + "']").isEmpty());
                WebElement spareRow = b.find(".shard[data-address='" + spare + "']");
                assertThat(spareRow.getAttribute("data-slots")).isEqualTo("0");
                assertThat(spareRow.getText()).contains("empty");

                // Preview: the plan drawn per master, the spare from 0 to a quarter of the slots.
                click(b, "#rb-preview");
                b.await(UI, "no plan", d -> !b.all(".plan-summary[data-needed=true]").isEmpty());
                assertThat(b.all(".plan-node")).hasSize(4);
                WebElement sparePlan = b.find(".plan-node[data-node-id='" + spareRow.getAttribute("data-node-id") + "']");
                assertThat(sparePlan.getAttribute("data-before")).isEqualTo("0");
                assertThat(sparePlan.getAttribute("data-after")).isEqualTo("4096");
                assertThat(sparePlan.findElements(By.cssSelector("svg.slotbar"))).hasSize(2);
                assertThat(b.text(".plan-summary")).contains("4,096 slots");

                // Run it: no second question for the token; the bar climbs to 100% and the map redraws.
                int rendersBefore = ((Number) b.state("renders")).intValue();
                click(b, "#rb-run");
                assertThat(b.find("#token-dialog").isDisplayed()).isFalse();
                List<String> seen = new ArrayList<>();
                b.await(JOB, "the rebalance never succeeded", d -> {
                    // one read of state and bar, so a redraw between two reads cannot mix them up
                    @SuppressWarnings("unchecked")
                    List<String> now = (List<String>) b.js("const j = document.querySelector('.job[data-type=rebalance]');"
                            + "return j && [j.dataset.state, j.querySelector('.pct').textContent];");
                    if (now == null) {
                        return false;
                    }
                    String entry = now.get(0) + " " + now.get(1);
                    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(entry)) {
                        seen.add(entry);
                    }
                    return now.get(0).equals("SUCCEEDED");
                });
                WebElement job = b.find(".job[data-type=rebalance]");
                System.out.println("FIGURE console: the rebalance job as the page showed it: " + seen);
                WebElement bar = job.findElement(By.cssSelector("progress"));
                assertThat(bar.getAttribute("value")).isEqualTo(bar.getAttribute("max")).isEqualTo("4096");
                assertThat(job.findElement(By.cssSelector(".pct")).getText()).isEqualTo("100%");
                assertThat(job.getText()).contains("4,096 / 4,096 slots").contains("keys/s");
                assertThat(seen).as("the bar moved while the job ran").hasSizeGreaterThanOrEqualTo(2);
                b.await(UI, "the map never redrew with the spare holding its share",
                        d -> "4096".equals(b.find(".shard[data-address='" + spare + "']").getAttribute("data-slots")));
                assertThat(((Number) b.state("renders")).intValue()).isGreaterThan(rendersBefore);
                assertThat(b.all(".shard[data-role=master]").stream().mapToInt(s -> Integer.parseInt(s.getAttribute("data-slots"))))
                        .containsOnly(4096);
                assertThat(b.find("#summary").getAttribute("data-slots")).isEqualTo("16384");
                b.await(UI, "job polling did not stop", d -> Boolean.FALSE.equals(b.state("jobsPolling")));
                b.await(UI, "keys never settled", d -> keysKept(b));
                b.await(UI, "the check never reported ok again", d -> b.text("#check").contains("Check ok"));

                // The last hour: at least a minute of real polls (12 points of 5 s) charted for every master.
                b.await(Duration.ofSeconds(90), "the history never showed a minute of 3 masters",
                        d -> chartAttribute(b, "#chart-ops", "data-points") >= 3 * 12);
                for (String chart : List.of("#chart-ops", "#chart-memory", "#chart-latency", "#chart-hits")) {
                    assertThat(chartAttribute(b, chart, "data-series")).as(chart).isGreaterThanOrEqualTo(3);
                }
                assertThat(b.text("#chart-replicas")).contains("No replicas recorded"); // the lab runs without scaling
                b.screenshot(Path.of("target/console.png"));
                String shot = System.getProperty("console.screenshot");
                if (shot != null) {
                    b.screenshot(Path.of(shot));
                }

                // Remove the spare from its row: drained back to the 3 masters.
                click(b, ".shard[data-address='" + spare + "'] .row.master button[data-remove]");
                b.await(UI, "no confirmation", d -> b.find("#confirm-dialog").isDisplayed());
                assertThat(b.text("#confirm-text")).contains(spare.toString()).contains("4,096 slots");
                b.find("#confirm-ok").click();
                awaitJob(b, "remove-node", "SUCCEEDED");
                b.await(UI, "the map never went back to 3 masters",
                        d -> "3".equals(b.find("#summary").getAttribute("data-masters")) && b.all(".shard[data-address='" + spare + "']").isEmpty());
                assertThat(b.find("#summary").getAttribute("data-slots")).isEqualTo("16384");
                b.await(UI, "keys lost?", d -> keysKept(b));
                assertThat(b.consoleLog().lines().filter(l -> l.startsWith("SEVERE") && !l.contains("Failed to load resource")))
                        .as("JavaScript errors").isEmpty();
            }
        }
    }

    /**
     * Scrolls the element to the middle of the window first: at the window's top edge the sticky header would take the
     * click (the page grew by the history panel, so rows land there more often).
     */
    private static void click(Browser b, String css) {
        WebElement e = b.find(css);
        b.js("arguments[0].scrollIntoView({block: 'center'});", e);
        e.click();
    }

    private static int chartAttribute(Browser b, String chart, String attribute) {
        List<WebElement> svg = b.all(chart + " svg");
        return svg.isEmpty() ? 0 : Integer.parseInt(svg.get(0).getAttribute(attribute));
    }

    private static void enterToken(Browser b, String token) {
        b.await(UI, "the page did not ask for the token", d -> b.find("#token-dialog").isDisplayed());
        b.find("#token-input").sendKeys(token);
        b.find("#token-ok").click();
    }

    private static WebElement awaitJob(Browser b, String type, String state) {
        return b.await(JOB, "no " + state + " " + type + " job", d -> {
            List<WebElement> jobs = b.all(".job[data-type=" + type + "][data-state=" + state + "]");
            return jobs.isEmpty() ? null : jobs.get(0);
        });
    }

    /**
     * Every key written is still counted. The agent's own keys come on top: the job journal and lease, and since the
     * fleet its store (members, leader, job records, views), a few dozen at most.
     */
    private static boolean keysKept(Browser b) {
        long keys = keysShown(b);
        return keys >= KEYS && keys <= KEYS + 50;
    }

    /** Keys over the masters' rows of the map (replicas hold copies). */
    private static long keysShown(Browser b) {
        Object n = b.js("return window.cahootsConsole.state.cluster.nodes.filter(n => n.role === 'master')"
                + ".reduce((s, n) => s + (n.keys || 0), 0);");
        return ((Number) n).longValue();
    }

    private static int port(AgentProcess agent) throws Exception {
        // AgentProcess picks the port; the agent's log names it.
        Matcher m = Pattern.compile("Listening on: http://[^:]+:(\\d+)").matcher(agent.output());
        if (!m.find()) {
            throw new AssertionError("no 'Listening on' line in:\n" + agent.output());
        }
        return Integer.parseInt(m.group(1));
    }

    private static List<HostPort> addresses(String log, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + " \\[([^\\]]*)\\]").matcher(log);
        if (!m.find()) {
            throw new AssertionError("no '" + label + "' in the agent's log:\n" + log);
        }
        return Arrays.stream(m.group(1).split(",\\s*")).map(HostPort::parse).toList();
    }

    /** Pipelined SETs of key:0..n-1 straight to the master owning each key's slot. */
    private static void fill(HostPort seed, int keys) {
        HostPort[] owner = new HostPort[SlotRange.SLOT_COUNT];
        try (Jedis any = new Jedis(seed.host(), seed.port())) {
            for (NodeEntry e : ClusterNodesParser.parse(any.clusterNodes())) {
                if (e.master()) {
                    for (SlotRange r : e.slots()) {
                        for (int s = r.start(); s <= r.end(); s++) {
                            owner[s] = e.address().orElseThrow();
                        }
                    }
                }
            }
        }
        Map<HostPort, List<String>> byOwner = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "key:" + i;
            byOwner.computeIfAbsent(owner[JedisClusterCRC16.getSlot(key)], k -> new ArrayList<>()).add(key);
        }
        Set<HostPort> written = new LinkedHashSet<>();
        byOwner.forEach((node, list) -> {
            try (Jedis jedis = new Jedis(node.host(), node.port())) {
                Pipeline p = jedis.pipelined();
                for (String key : list) {
                    p.set(key, "v".repeat(100));
                }
                // Lookups, so the history has a hit ratio to chart: every key read back, one miss in ten.
                for (int i = 0; i < list.size(); i++) {
                    p.get(list.get(i));
                    if (i % 9 == 0) {
                        p.get(list.get(i) + ":missing");
                    }
                }
                p.sync();
                written.add(node);
            }
        });
        assertThat(written).hasSize(3);
    }
}
