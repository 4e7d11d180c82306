package io.cahoots.agent.scaling.kube;

import io.cahoots.agent.scaling.Leadership;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * Leader election over a {@code coordination.k8s.io/v1} Lease, so that with several agent replicas exactly one
 * scales (the algorithm of client-go's leaderelection, reduced to what one loop needs). Calls: {@code leases get,
 * create, update}.
 *
 * <ol>
 *   <li>No Lease: create it naming this replica. Two replicas racing: the API server lets one create win, the
 *       other gets 409 and stays a follower.</li>
 *   <li>This replica holds it: renew ({@code renewTime = now}) with an update carrying the resourceVersion read,
 *       so a concurrent take-over makes the renew fail instead of both believing they lead.</li>
 *   <li>Another replica holds it: remember when its record last changed, by this replica's own clock. Only when it
 *       has not changed for {@code leaseDurationSeconds} (or names nobody) take it over, again with a
 *       resourceVersion-guarded update. Measuring the silence locally, instead of comparing {@code renewTime} with
 *       the local clock, makes the election immune to clock skew between nodes.</li>
 *   <li>A leader that cannot renew (API unreachable) stops acting {@code renewDeadline} (2/3 of the duration) after
 *       its last successful renew, before any follower may take over.</li>
 * </ol>
 */
public final class KubernetesLease implements Leadership {

    private static final Logger LOG = Logger.getLogger(KubernetesLease.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration duration;
    private final Duration renewDeadline;
    private final Clock clock;

    private Instant leaderUntil;
    private String observedRecord;
    private Instant observedAt;
    private String holder;

    public KubernetesLease(KubernetesClient client, String namespace, String name, String identity, Duration duration,
                           Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.duration = duration;
        this.renewDeadline = duration.multipliedBy(2).dividedBy(3);
        this.clock = clock;
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public synchronized Optional<String> holder() {
        return Optional.ofNullable(holder);
    }

    @Override
    public synchronized boolean lead() {
        Instant now = clock.instant();
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            boolean led = lease == null ? create(now) : renewOrTakeOver(lease, now);
            if (led) {
                leaderUntil = now.plus(renewDeadline);
                holder = identity;
            } else {
                leaderUntil = null;
            }
            return led;
        } catch (KubernetesClientException e) {
            // The failed call may have taken a while: judge the deadline by the time now, not at the start.
            boolean still = leaderUntil != null && clock.instant().isBefore(leaderUntil);
            LOG.warnf("lease %s/%s: %s (HTTP %d); %s", namespace, name, e.getMessage(), e.getCode(),
                    still ? "still leading until " + leaderUntil : "not leading");
            return still;
        }
    }

    private boolean create(Instant now) {
        Lease lease = new Lease();
        lease.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        lease.setSpec(spec(now, now, 0));
        try {
            client.leases().inNamespace(namespace).resource(lease).create();
            LOG.infof("lease %s/%s created: %s leads", namespace, name, identity);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false; // another replica created it first
            }
            throw e;
        }
    }

    private boolean renewOrTakeOver(Lease lease, Instant now) {
        LeaseSpec s = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        String current = s.getHolderIdentity();
        if (identity.equals(current)) {
            s.setRenewTime(time(now));
            s.setLeaseDurationSeconds((int) duration.toSeconds());
            return update(lease);
        }
        String record = current + "|" + s.getRenewTime() + "|" + lease.getMetadata().getResourceVersion();
        if (!record.equals(observedRecord)) {
            observedRecord = record;
            observedAt = now;
        }
        holder = current == null || current.isEmpty() ? null : current;
        int seconds = s.getLeaseDurationSeconds() == null ? (int) duration.toSeconds() : s.getLeaseDurationSeconds();
        boolean expired = holder == null || !now.isBefore(observedAt.plusSeconds(seconds));
        if (!expired) {
            return false;
        }
        int transitions = s.getLeaseTransitions() == null ? 0 : s.getLeaseTransitions();
        lease.setSpec(spec(now, now, transitions + 1));
        boolean taken = update(lease);
        if (taken) {
            LOG.infof("lease %s/%s taken over from %s by %s", namespace, name, Objects.toString(current, "nobody"), identity);
        }
        return taken;
    }

    /** A resourceVersion-guarded replace: 409 means someone else wrote first. */
    private boolean update(Lease lease) {
        try {
            client.leases().inNamespace(namespace).resource(lease).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public synchronized void release() {
        if (leaderUntil == null) {
            return;
        }
        leaderUntil = null;
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            if (lease != null && lease.getSpec() != null && identity.equals(lease.getSpec().getHolderIdentity())) {
                // client-go's release: nobody holds it, so a follower takes over at its next try.
                lease.getSpec().setHolderIdentity(null);
                lease.getSpec().setLeaseDurationSeconds(1);
                lease.getSpec().setRenewTime(time(clock.instant()));
                update(lease);
                LOG.infof("lease %s/%s released by %s", namespace, name, identity);
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("lease %s/%s not released (%s): another replica takes over when it expires", namespace, name, e.getMessage());
        }
    }

    private LeaseSpec spec(Instant acquired, Instant renewed, int transitions) {
        LeaseSpec s = new LeaseSpec();
        s.setHolderIdentity(identity);
        s.setLeaseDurationSeconds((int) duration.toSeconds());
        s.setAcquireTime(time(acquired));
        s.setRenewTime(time(renewed));
        s.setLeaseTransitions(transitions);
        return s;
    }

    private static java.time.ZonedDateTime time(Instant i) {
        return i.atZone(ZoneOffset.UTC);
    }
}
