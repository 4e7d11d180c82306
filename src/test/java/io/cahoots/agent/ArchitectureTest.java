package io.cahoots.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The layering of ARCHITECTURE.md, enforced. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cahoots.agent");

    @Test
    void theModelIsPureJava() {
        classes().that().resideInAPackage("io.cahoots.agent.cluster..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.cahoots.agent.cluster..")
                .check(CLASSES);
    }

    @Test
    void onlyTheAdapterTouchesRedisClients() {
        noClasses().that().resideOutsideOfPackage("io.cahoots.agent.redis..")
                .should().dependOnClassesThat().resideInAnyPackage("redis.clients..", "org.redisson..")
                .check(CLASSES);
    }

    @Test
    void configDependsOnNothingButTheModelAndSmallRye() {
        classes().that().resideInAPackage("io.cahoots.agent.config..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.smallrye.config..",
                        "io.cahoots.agent.config..", "io.cahoots.agent.cluster..")
                .check(CLASSES);
    }

    @Test
    void thePlannerIsPureJavaOverTheModel() {
        classes().that().resideInAPackage("io.cahoots.agent.planner..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.cahoots.agent.cluster..",
                        "io.cahoots.agent.planner..")
                .check(CLASSES);
    }

    @Test
    void onlyTheKubernetesAdapterTouchesTheKubernetesClient() {
        noClasses().that().resideOutsideOfPackage("io.cahoots.agent.scaling.kube..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..")
                .check(CLASSES);
    }

    /**
     * No new cycle between top-level packages. The cycles that were there when the rule came (ports of
     * {@code executor/} implemented in {@code redis/}, which {@code executor/} imports for its errors, and the
     * like) are recorded in {@code src/test/resources/archunit_store}; removing one shrinks the store, adding one
     * fails here.
     */
    @Test
    void noNewCycleBetweenTopLevelPackages() {
        FreezingArchRule.freeze(slices().matching("io.cahoots.agent.(*)..").should().beFreeOfCycles()).check(CLASSES);
    }

    /** The cycle rule on a deliberate cycle (the archfixture packages under src/test): it must fail. */
    @Test
    void theCycleRuleCatchesADeliberateCycle() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.cahoots.agent.archfixture");
        assertThatThrownBy(() -> slices().matching("io.cahoots.agent.archfixture.(*)..").should().beFreeOfCycles().check(fixture))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Cycle detected").hasMessageContaining("archfixture.a").hasMessageContaining("archfixture.b");
    }
}
