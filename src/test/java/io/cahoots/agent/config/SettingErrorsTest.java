package io.cahoots.agent.config;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SmallRye's conversion failures become the agent's one line; the kinds show values in their own syntax. */
class SettingErrorsTest {

    @Test
    void aValueFromTheEnvironmentThatDoesNotConvertIsOneLineNamingTheVariable() {
        assertThatThrownBy(() -> new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("AGENT_POLL_INTERVAL", "soon", "AGENT_LAB", "ture"), 300))
                .withMapping(AgentConfig.class).build())
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> {
                    InvalidSettingException line = SettingErrors.find(new RuntimeException("wrapped", e)).orElseThrow();
                    assertThat(line.getMessage()).doesNotContain("\n").doesNotContain("Exception")
                            .satisfiesAnyOf(
                                    m -> assertThat(m).isEqualTo("Invalid setting AGENT_POLL_INTERVAL='soon': expected a duration"
                                            + " between 100ms and 1h such as 500ms, 1s or 5m"),
                                    m -> assertThat(m).isEqualTo("Invalid setting AGENT_LAB='ture': expected true or false"));
                });
    }

    @Test
    void aFailureThatIsNotASettingOfOursIsLeftToQuarkus() {
        assertThat(SettingErrors.find(new IllegalStateException("port in use"))).isEmpty();
        assertThat(SettingErrors.of(new ConfigValidationException(new ConfigValidationException.Problem[]{
                new ConfigValidationException.Problem("SRCFG00039: The config property quarkus.http.port with the config"
                        + " value \"x\" threw an Exception whilst being converted not a number")}))).isEmpty();
    }

    @Test
    void aProfilesPrefixIsNotPartOfTheVariable() {
        assertThat(SettingErrors.of(new ConfigValidationException(new ConfigValidationException.Problem[]{
                new ConfigValidationException.Problem("java.lang.IllegalArgumentException: SRCFG00039: The config property"
                        + " %prod.agent.migration-parallelism with the config value \"many\" threw an Exception whilst being"
                        + " converted not a whole number")})).orElseThrow().getMessage())
                .isEqualTo("Invalid setting AGENT_MIGRATION_PARALLELISM='many': expected a whole number from 1 to 64");
    }

    @Test
    void everyMappingIsWhereAFailedPropertyIsLookedUp() {
        assertThat(new ClassFileImporter().importPackages("io.cahoots.agent.config").stream()
                .filter(c -> c.isAnnotatedWith(ConfigMapping.class)).map(JavaClass::reflect).toList())
                .isNotEmpty()
                .allSatisfy(type -> assertThat(SettingErrors.MAPPINGS).contains(type));
    }

    @Test
    void outOfRangeValuesAreShownInTheirOwnSyntax() {
        Syntax.Span span = new Syntax.Span();
        assertThat(span.shown(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(span.shown(Duration.ofNanos(500_000))).isEqualTo("500us");
        assertThat(span.convert("500us")).isEqualTo(Duration.ofNanos(500_000));
        assertThat(span.shown(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(span.shown(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(span.shown(Duration.ofDays(1))).isEqualTo("24h");
        assertThat(span.shown(Duration.ZERO)).isEqualTo("0s");
        assertThat(new Syntax.Bytes().shown(8L << 20)).isEqualTo("8mb");
        assertThat(new Syntax.Bytes().shown(1000L)).isEqualTo("1000");
        assertThat(new Syntax.Positive().shown(120.0)).isEqualTo("120");
        assertThat(new Syntax.Positive().shown(250.5)).isEqualTo("250.5");
        assertThat(new KubeSettings.JoinAsName().expected(null, null)).isEqualTo("replica or master");
    }
}
