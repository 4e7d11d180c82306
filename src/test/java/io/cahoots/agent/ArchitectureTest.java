package io.cahoots.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
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
    void nothingDependsOnTheWiring() {
        noClasses().that().resideOutsideOfPackage("io.cahoots.agent.boot..")
                .should().dependOnClassesThat().resideInAPackage("io.cahoots.agent.boot..")
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
    void onlyTheKubernetesAdaptersTouchTheKubernetesClient() {
        // scaling/kube: the API replicas' Deployment and lease; kube/: the Redis pods and their StatefulSet.
        noClasses().that().resideOutsideOfPackages("io.cahoots.agent.scaling.kube..", "io.cahoots.agent.kube..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..")
                .check(CLASSES);
    }

    /**
     * Cycles between top-level packages that existed when this rule came, each by the packages it runs through
     * (rotated to start at the first in alphabetical order). All of them run through {@code redis/}: {@code executor/}
     * and others import its {@code RedisException} while it implements their ports. Moving the ports and the error
     * taxonomy to a neutral package removes them; remove each line here as it goes. A new cycle fails the build.
     */
    static final Set<String> KNOWN_CYCLES = Set.of(
            "executor -> observe -> redis",
            "executor -> observe -> redis -> importer",
            "executor -> redis",
            "executor -> redis -> importer",
            "importer -> observe -> redis",
            "importer -> redis",
            "importer -> sentinel -> redis",
            "importer -> topology -> observe -> redis",
            "importer -> topology -> redis",
            "importer -> topology -> sentinel -> redis",
            "observe -> redis -> policy",
            "policy -> redis",
            "policy -> sentinel -> redis");

    @Test
    void noNewCycleBetweenTopLevelPackages() {
        Set<String> cycles = cycles(CLASSES, "io.cahoots.agent.(*)..");
        assertThat(cycles).as("cycles between top-level packages (ARCHITECTURE.md); only known ones may remain")
                .isSubsetOf(KNOWN_CYCLES);
    }

    /** Each cycle the slices rule reports, as "a -> b -> c" (its packages, smallest first). */
    static Set<String> cycles(JavaClasses classes, String slicePattern) {
        EvaluationResult result = slices().matching(slicePattern).should().beFreeOfCycles().evaluate(classes);
        Set<String> out = new TreeSet<>();
        String all = String.join("\n", result.getFailureReport().getDetails());
        for (String cycle : all.split("Cycle detected: ")) {
            List<String> names = new ArrayList<>();
            for (String line : cycle.split("\n")) {
                Matcher m = SLICE.matcher(line);
                if (!m.matches()) {
                    break;
                }
                names.add(m.group(1));
            }
            if (names.size() > 1) {
                names.remove(names.size() - 1); // the first slice again, closing the cycle
                int first = names.indexOf(names.stream().min(String::compareTo).orElseThrow());
                List<String> rotated = new ArrayList<>(names.subList(first, names.size()));
                rotated.addAll(names.subList(0, first));
                out.add(String.join(" -> ", rotated));
            }
        }
        return out;
    }

    private static final Pattern SLICE = Pattern.compile("\\s*Slice (\\S+?)(?: ->)?\\s*");

    /** The cycle rule on a deliberate cycle (the archfixture packages under src/test): it must fail. */
    @Test
    void theCycleRuleCatchesADeliberateCycle() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.cahoots.agent.archfixture");
        assertThatThrownBy(() -> slices().matching("io.cahoots.agent.archfixture.(*)..").should().beFreeOfCycles().check(fixture))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Cycle detected").hasMessageContaining("archfixture.a").hasMessageContaining("archfixture.b");
        assertThat(cycles(fixture, "io.cahoots.agent.archfixture.(*)..")).containsExactly("a -> b");
    }
}
