package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.util.Map;
import java.util.Optional;

/**
 * The rule that decides whether an announced master address is believed. Pure: the I/O is {@link MasterConfirmer}'s.
 *
 * <p>Why a rule at all: a {@code +switch-master} message is only a claim. A restarted Sentinel can replay an old one,
 * a message can be forged, and a lagging Sentinel can name an old master. Believing a claim means telling every
 * application to send writes there, so both the node itself and the Sentinel group must back it:
 * <ol>
 *   <li>{@code ROLE} on the announced address must answer {@code master}. A replica or a Sentinel there rejects the
 *       claim at once ({@link Outcome#REJECT}): Sentinel only announces a switch after the promoted node answers
 *       {@code master}, so that answer will not change by waiting.</li>
 *   <li>A majority of the Sentinel group -- counted over every known member, reachable or not, as Sentinel counts
 *       votes for a failover -- must name the address in {@code SENTINEL GET-MASTER-ADDR-BY-NAME}. Members that did
 *       not answer count against: when most Sentinels cannot be reached the claim is not believed, however many of
 *       the others agree. Sentinel itself cannot fail over without a majority, so this only makes the view lag.</li>
 *   <li>Anything else is {@link Outcome#WAIT}: the caller asks again shortly (the other Sentinels learn of a
 *       failover from the leader's hello messages, ~10ms after it) until its deadline, then rejects.</li>
 * </ol>
 * Safety: a stale or forged claim pointing at a replica is never believed; one pointing at a node that still answers
 * {@code master} (an old master restarted before Sentinel reconfigured it as a replica) is believed only if most of the
 * group names it. One Sentinel's word is never enough in a group of three: with one member down and another slow to
 * answer, a lone answer may be that of a Sentinel that has not yet heard of the last failover, and the restarted old
 * master it names answers {@code master} for seconds (Sentinel converts it only ~8s later). The caller must hand in
 * answers of one round, asked after the candidate's {@code ROLE} or together with it (see {@link MasterConfirmer}).
 */
public final class Confirmation {

    public enum Outcome { ACCEPT, REJECT, WAIT }

    public record Decision(Outcome outcome, String reason) {
        public boolean accepted() {
            return outcome == Outcome.ACCEPT;
        }
    }

    /** What {@code ROLE} on the candidate said, if anything yet. */
    public sealed interface Role {
        record Answered(RoleReply reply) implements Role {
        }

        record Failed(String reason) implements Role {
        }

        record Pending() implements Role {
        }
    }

    /** What one Sentinel said about the master, if anything yet. */
    public sealed interface Answer {
        /** Empty when the Sentinel does not know the master name. */
        record Names(Optional<HostPort> address) implements Answer {
        }

        record Failed(String reason) implements Answer {
        }

        record Pending() implements Answer {
        }
    }

    private Confirmation() {
    }

    /**
     * @param answers   one entry per known member of the Sentinel group (so its size is the group size)
     */
    public static Decision decide(HostPort candidate, Role role, Map<HostPort, Answer> answers) {
        if (role instanceof Role.Answered a && !a.reply().isMaster()) {
            return new Decision(Outcome.REJECT, "ROLE on " + candidate + " answers " + a.reply());
        }
        int group = answers.size();
        int majority = group / 2 + 1;
        int agree = 0;
        int answered = 0;
        int pending = 0;
        for (Answer a : answers.values()) {
            if (a instanceof Answer.Names n) {
                answered++;
                if (n.address().filter(candidate::equals).isPresent()) {
                    agree++;
                }
            } else if (a instanceof Answer.Pending) {
                pending++;
            }
        }
        String tally = agree + " of " + group + " Sentinels name " + candidate;
        if (!(role instanceof Role.Answered)) {
            String why = role instanceof Role.Failed f ? "ROLE on " + candidate + " failed: " + f.reason()
                    : "ROLE on " + candidate + " not answered yet";
            return new Decision(Outcome.WAIT, why + "; " + tally);
        }
        if (agree >= majority) {
            return new Decision(Outcome.ACCEPT, "ROLE says master; " + tally);
        }
        if (answered < majority && pending == 0) {
            return new Decision(Outcome.WAIT, "ROLE says master; only " + answered + " of " + group
                    + " Sentinels answered, " + agree + " name " + candidate + " (need " + majority + ")");
        }
        return new Decision(Outcome.WAIT, "ROLE says master; only " + tally + " (need " + majority + ")");
    }
}
