package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.SentinelClient;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Gathers the evidence {@link Confirmation} needs and applies it, asking again until it decides.
 *
 * <ol>
 *   <li>Each attempt asks, in parallel on the I/O pool, {@code ROLE} on the candidate and
 *       {@code SENTINEL GET-MASTER-ADDR-BY-NAME} on every member of the group.</li>
 *   <li>Each answer is applied as it arrives and the rule is evaluated at once, so a majority decides without waiting
 *       for a hung Sentinel's timeout.</li>
 *   <li>An attempt ends when every call answered or the per-call timeout passed (late answers are ignored). If the rule
 *       still says WAIT, the next attempt starts 2ms later during the first 100ms -- the other Sentinels learn of a
 *       failover from the leader's hello messages within ~10-20ms, and these calls cost well under a millisecond --
 *       then after 10ms, doubling up to 250ms.</li>
 *   <li>Bounded: at most {@value #MAX_ATTEMPTS} attempts and the overall deadline; then the claim is rejected with the
 *       last reason. The watcher's next poll re-evaluates anyway, so a rejection only delays a true switch.</li>
 * </ol>
 * Safety: a decision rests on one attempt's answers only; nothing is carried over from an earlier attempt. Evidence
 * from different moments does not add up: a Sentinel that named an old master a second ago (it had not yet heard of
 * the failover) and that old master answering {@code ROLE master} now (it was just restarted, and Sentinel converts
 * it to a replica only seconds later) together look like a confirmed switch, yet no moment ever had both.
 */
public final class MasterConfirmer {

    static final int MAX_ATTEMPTS = 80;
    /** Tight retries while the other Sentinels are expected to follow the leader (~10ms after its switch). */
    private static final long FAST_RETRY_MILLIS = 2;
    private static final long FAST_PHASE_MILLIS = 100;
    private static final long SLOW_FIRST_RETRY_MILLIS = 10;
    private static final long MAX_RETRY_MILLIS = 250;
    private static final long SLACK_MILLIS = 100;

    /** The decision, the candidate's ROLE reply when it answered master, and how much asking it took. */
    public record Result(Confirmation.Decision decision, Optional<RoleReply> role, int attempts, Duration took) {
    }

    /** The two questions, so that the asking can be scripted in tests of this class; in production {@link SentinelClient}. */
    interface Evidence {
        Confirmation.Role role(HostPort candidate);

        Confirmation.Answer masterAddress(HostPort sentinel, String name);
    }

    private final Evidence evidence;
    private final ExecutorService io;
    private final Duration callTimeout;
    private final Duration deadline;

    public MasterConfirmer(SentinelClient client, ExecutorService io, Duration callTimeout, Duration deadline) {
        this(new Evidence() {
            @Override
            public Confirmation.Role role(HostPort candidate) {
                return askRole(client, candidate);
            }

            @Override
            public Confirmation.Answer masterAddress(HostPort sentinel, String name) {
                return askSentinel(client, sentinel, name);
            }
        }, io, callTimeout, deadline);
    }

    MasterConfirmer(Evidence evidence, ExecutorService io, Duration callTimeout, Duration deadline) {
        this.evidence = evidence;
        this.io = io;
        this.callTimeout = callTimeout;
        this.deadline = deadline;
    }

    private sealed interface Reply {
        record FromRole(Confirmation.Role role) implements Reply {
        }

        record FromSentinel(HostPort sentinel, Confirmation.Answer answer) implements Reply {
        }
    }

    public Result confirm(String name, HostPort candidate, Collection<HostPort> members) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        Confirmation.Role role = new Confirmation.Role.Pending();
        Map<HostPort, Confirmation.Answer> answers = new LinkedHashMap<>();
        members.forEach(m -> answers.put(m, new Confirmation.Answer.Pending()));
        Confirmation.Decision decision = Confirmation.decide(candidate, role, answers);
        long slowRetry = SLOW_FIRST_RETRY_MILLIS;
        int attempt = 0;
        while (attempt < MAX_ATTEMPTS) {
            attempt++;
            // Every attempt starts from nothing: see the class comment on why answers are never carried over.
            BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
            role = new Confirmation.Role.Pending();
            int outstanding = submit(replies, () -> new Reply.FromRole(evidence.role(candidate)));
            for (HostPort m : members) {
                answers.put(m, new Confirmation.Answer.Pending());
                outstanding += submit(replies, () -> new Reply.FromSentinel(m, evidence.masterAddress(m, name)));
            }
            long attemptEnd = Math.min(end, System.nanoTime() + callTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS));
            while (outstanding > 0) {
                Reply r = poll(replies, attemptEnd - System.nanoTime());
                if (r == null) {
                    break;
                }
                outstanding--;
                if (r instanceof Reply.FromRole fr) {
                    role = fr.role();
                } else if (r instanceof Reply.FromSentinel fs) {
                    answers.put(fs.sentinel(), fs.answer());
                }
                Confirmation.Decision now = Confirmation.decide(candidate, role, answers);
                if (now.outcome() != Confirmation.Outcome.WAIT) {
                    return result(now, role, attempt, start);
                }
            }
            if (role instanceof Confirmation.Role.Pending) {
                role = new Confirmation.Role.Failed("no answer within " + callTimeout.toMillis() + "ms");
            }
            answers.replaceAll((m, a) -> a instanceof Confirmation.Answer.Pending
                    ? new Confirmation.Answer.Failed("no answer within " + callTimeout.toMillis() + "ms") : a);
            Confirmation.Decision last = Confirmation.decide(candidate, role, answers);
            if (last.outcome() != Confirmation.Outcome.WAIT) {
                return result(last, role, attempt, start);
            }
            if (outstanding == 0 || attemptEnd < end) {
                decision = last; // an attempt cut short by the overall deadline says less than the one before it
            }
            long retry = FAST_RETRY_MILLIS;
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(FAST_PHASE_MILLIS)) {
                retry = slowRetry;
                slowRetry = Math.min(slowRetry * 2, MAX_RETRY_MILLIS);
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retry) >= end || !sleep(retry)) {
                break;
            }
        }
        Confirmation.Decision rejected = new Confirmation.Decision(Confirmation.Outcome.REJECT,
                "not confirmed after " + attempt + " attempts in " + (System.nanoTime() - start) / 1_000_000 + "ms: "
                        + decision.reason());
        return result(rejected, role, attempt, start);
    }

    private int submit(BlockingQueue<Reply> replies, java.util.function.Supplier<Reply> call) {
        try {
            io.execute(() -> replies.add(call.get()));
            return 1;
        } catch (RejectedExecutionException e) {
            return 0; // shutting down
        }
    }

    private static Confirmation.Role askRole(SentinelClient client, HostPort candidate) {
        try {
            return new Confirmation.Role.Answered(RoleReply.parse(client.role(candidate)));
        } catch (RedisException e) {
            return new Confirmation.Role.Failed(e.getMessage());
        } catch (RuntimeException e) {
            return new Confirmation.Role.Failed("unreadable ROLE reply: " + e.getMessage());
        }
    }

    private static Confirmation.Answer askSentinel(SentinelClient client, HostPort sentinel, String name) {
        try {
            return new Confirmation.Answer.Names(client.masterAddress(sentinel, name));
        } catch (RuntimeException e) {
            return new Confirmation.Answer.Failed(e.getMessage());
        }
    }

    private static Result result(Confirmation.Decision d, Confirmation.Role role, int attempts, long start) {
        Optional<RoleReply> reply = role instanceof Confirmation.Role.Answered a ? Optional.of(a.reply()) : Optional.empty();
        return new Result(d, reply, attempts, Duration.ofNanos(System.nanoTime() - start));
    }

    private static Reply poll(BlockingQueue<Reply> q, long nanos) {
        try {
            return nanos <= 0 ? q.poll() : q.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
