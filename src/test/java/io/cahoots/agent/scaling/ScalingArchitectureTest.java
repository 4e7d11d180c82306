package io.cahoots.agent.scaling;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** ARCHITECTURE.md for the scaling package: a pure decision engine, fabric8 only in the actuator. */
class ScalingArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.cahoots.agent");

    @Test
    void thePolicyIsPureJava() {
        classes().that().resideInAPackage("io.cahoots.agent.scaling.decision..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.cahoots.agent.scaling.decision..",
                        "io.cahoots.agent.cluster..", "io.cahoots.agent.config..")
                .check(CLASSES);
    }

    @Test
    void onlyTheActuatorTouchesTheKubernetesClient() {
        // Within scaling; the whole codebase's rule (scaling/kube and kube/ only) is in ArchitectureTest.
        noClasses().that().resideInAPackage("io.cahoots.agent.scaling..")
                .and().resideOutsideOfPackage("io.cahoots.agent.scaling.kube..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..")
                .check(CLASSES);
    }
}
