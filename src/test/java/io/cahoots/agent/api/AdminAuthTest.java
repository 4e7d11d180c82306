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
}
