package io.cahoots.agent.caching;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The policy's comparison and audit planning stay pure: no Redis client, no framework, no clock, no I/O. */
class PolicyArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cahoots.agent.caching");

    @Test
    void comparisonAndBudgetArePureJava() {
        classes().that().haveSimpleNameStartingWith("MemoryDrift").or().haveSimpleNameStartingWith("AuditBudget")
                .or().haveSimpleNameStartingWith("TtlVerdict").or().haveSimpleNameStartingWith("NodeMemory")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java.lang..", "java.util..",
                        "io.cahoots.agent.cluster..", "io.cahoots.agent.config..", "io.cahoots.agent.caching..")
                .check(CLASSES);
    }

    @Test
    void onlyTheServiceTouchesThreadsAndCdi() {
        classes().that().resideInAPackage("io.cahoots.agent.caching").and().doNotHaveSimpleName("PolicyService")
                .and().doNotHaveSimpleName("PolicyBeans").and().doNotHaveSimpleName("PolicyMetrics")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.cahoots.agent.cluster..",
                        "io.cahoots.agent.config..", "io.cahoots.agent.caching..", "io.cahoots.agent.redis")
                .check(CLASSES);
    }
}
