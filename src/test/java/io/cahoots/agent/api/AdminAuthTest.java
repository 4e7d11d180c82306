package io.cahoots.agent.api;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AdminAuthTest {

    private final AdminAuth auth = new AdminAuth(Optional.of("0123456789abcdef0123"));

    @Test
    void acceptsTheRightBearerTokenOnly() {
        assertThat(auth.check("Bearer 0123456789abcdef0123")).isEqualTo(AdminAuth.Outcome.ALLOWED);
        assertThat(auth.check("bearer 0123456789abcdef0123")).isEqualTo(AdminAuth.Outcome.ALLOWED);
        assertThat(auth.check("Bearer 0123456789abcdef012")).isEqualTo(AdminAuth.Outcome.WRONG);
        assertThat(auth.check("Bearer 0123456789abcdef01234")).isEqualTo(AdminAuth.Outcome.WRONG);
        assertThat(auth.check("Basic 0123456789abcdef0123")).isEqualTo(AdminAuth.Outcome.MISSING);
        assertThat(auth.check(null)).isEqualTo(AdminAuth.Outcome.MISSING);
    }

    @Test
    void withoutAConfiguredTokenNothingMutates() {
        assertThat(new AdminAuth(Optional.empty()).check("Bearer anything")).isEqualTo(AdminAuth.Outcome.NO_TOKEN_CONFIGURED);
    }

    @Test
    void duringARotationBothAdminTokensMutateAndTheReadTokenOnlyReads() {
        AdminAuth rotating = new AdminAuth(java.util.List.of("new-token-0123456789", "old-token-0123456789"),
                Optional.of("read-token-0123456789"));
        assertThat(rotating.check("Bearer new-token-0123456789")).isEqualTo(AdminAuth.Outcome.ALLOWED);
        assertThat(rotating.check("Bearer old-token-0123456789")).isEqualTo(AdminAuth.Outcome.ALLOWED);
        assertThat(rotating.check("Bearer read-token-0123456789")).isEqualTo(AdminAuth.Outcome.WRONG);
        assertThat(rotating.checkRead("Bearer read-token-0123456789")).isEqualTo(AdminAuth.Outcome.ALLOWED);
        assertThat(rotating.checkRead("Bearer old-token-0123456789")).isEqualTo(AdminAuth.Outcome.ALLOWED);
        assertThat(rotating.checkRead(null)).isEqualTo(AdminAuth.Outcome.MISSING);
        assertThat(rotating.checkRead("Bearer nope-nope-nope-nope")).isEqualTo(AdminAuth.Outcome.WRONG);
        assertThat(auth.checkRead(null)).as("no read token: reads are open").isEqualTo(AdminAuth.Outcome.ALLOWED);
    }

    @Test
    void aFingerprintNamesATokenWithoutRevealingIt() {
        assertThat(AdminAuth.fingerprint("Bearer 0123456789abcdef0123")).matches("[0-9a-f]{8}")
                .isEqualTo(AdminAuth.fingerprint("bearer  0123456789abcdef0123 "));
        assertThat(AdminAuth.fingerprint(null)).isEqualTo("-");
        assertThat(AuditLog.route("/api/v1/jobs/abc/cancel")).isEqualTo("/api/v1/jobs/{id}/cancel");
        assertThat(AuditLog.route("/api/v1/cluster/nodes/abc")).isEqualTo("/api/v1/cluster/nodes/{id}");
        assertThat(AuditLog.route("/api/v1/cluster/nodes")).isEqualTo("/api/v1/cluster/nodes");
        assertThat(AuditLog.route("/api/v1/whatever/x")).isEqualTo("other");
    }
}
