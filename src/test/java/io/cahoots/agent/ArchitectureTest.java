package io.cahoots.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

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
}
