package io.cahoots.agent;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
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

    /** The Redis client layer ({@code redis/}) and the ports' implementations ({@code adapter/}) are the only users of Jedis and Redisson. */
    @Test
    void onlyTheAdaptersTouchRedisClients() {
        noClasses().that().resideOutsideOfPackages("io.cahoots.agent.redis..", "io.cahoots.agent.adapter..")
                .should().dependOnClassesThat().resideInAnyPackage("redis.clients..", "org.redisson..")
                .check(CLASSES);
    }

    /**
     * {@code redis/} is the bottom layer of I/O: it knows the model and the settings, never a feature package (and
     * {@code lifecycle/}, java.* only, for its threads).
     */
    @Test
    void theRedisLayerDependsOnlyOnTheModelAndSettings() {
        classes().that().resideInAPackage("io.cahoots.agent.redis..")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.cahoots.agent..").or(resideInAnyPackage(
                        "io.cahoots.agent.redis..", "io.cahoots.agent.cluster..", "io.cahoots.agent.config..",
                        "io.cahoots.agent.lifecycle..")))
                .check(CLASSES);
    }

    /**
     * Background work runs on {@code lifecycle/Background}'s named daemon threads: nothing else calls
     * {@link Executors}, constructs an executor or constructs a {@link Thread} (or a subclass of it).
     */
    static final ArchRule ONLY_BACKGROUND_MAKES_THREADS = noClasses()
            .that().resideOutsideOfPackage("io.cahoots.agent.lifecycle..")
            .should().callMethodWhere(target(owner(type(Executors.class))))
            .orShould().callConstructorWhere(target(owner(assignableTo(Thread.class))))
            .orShould().callConstructorWhere(target(owner(assignableTo(ExecutorService.class))))
            .because("periodic and background work runs on lifecycle/Background's executors (ARCHITECTURE.md)");

    @Test
    void onlyBackgroundMakesThreads() {
        ONLY_BACKGROUND_MAKES_THREADS.check(CLASSES);
    }

    /** The rule on threads on the fixture under src/test/.../archfixture/threads: each way by hand is caught. */
    @Test
    void theThreadRuleCatchesThreadsMadeByHand() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.cahoots.agent.archfixture.threads");
        List<String> violations = ONLY_BACKGROUND_MAKES_THREADS.evaluate(fixture).getFailureReport().getDetails();
        assertThat(violations).hasSize(3).allMatch(v -> v.contains("ByHand"));
        assertThat(String.join("\n", violations)).contains("Thread.<init>", "Executors.newFixedThreadPool",
                "ScheduledThreadPoolExecutor.<init>");
    }

    /** Adapters implement ports of the feature packages; only the wiring picks them, so they can never close a cycle. */
    @Test
    void onlyTheWiringDependsOnTheAdapters() {
        noClasses().that().resideOutsideOfPackages("io.cahoots.agent.adapter..", "io.cahoots.agent.boot..")
                .should().dependOnClassesThat().resideInAPackage("io.cahoots.agent.adapter..")
                .check(CLASSES);
    }

    @Test
    void configDependsOnNothingButTheModelAndSmallRye() {
        classes().that().resideInAPackage("io.cahoots.agent.config..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.smallrye.config..",
                        // the Converter interface SmallRye's converters implement
                        "org.eclipse.microprofile.config.spi..",
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
     * No cycle between top-level packages, strictly. (Thirteen existed when the rule came, all through {@code redis/}:
     * it implemented the feature packages' ports while they imported its errors. The implementations moved to
     * {@code adapter/}, which only {@code boot/} uses.)
     */
    @Test
    void noCycleBetweenTopLevelPackages() {
        slices().matching("io.cahoots.agent.(*)..").should().beFreeOfCycles().check(CLASSES);
        assertThat(cycles(CLASSES, "io.cahoots.agent.(*)..")).isEmpty();
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
