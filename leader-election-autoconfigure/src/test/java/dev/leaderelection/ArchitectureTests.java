package dev.leaderelection;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.leaderelection.autoconfigure.LeaderElectionKubernetesAutoConfiguration;
import dev.leaderelection.autoconfigure.LeaderElectionRedisAutoConfiguration;
import org.junit.jupiter.api.Test;

/**
 * Holds the layering of the design notes across the modules on this class path: the Spring glue
 * knows a store only in that store's auto-configuration, a store knows no Spring Boot and none of
 * the glue, and no packages form a cycle. The core's own rules live in the core.
 */
class ArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.leaderelection");

    private static final String[] SPRING_GLUE = {
        "dev.leaderelection.autoconfigure..",
        "dev.leaderelection.actuate..",
        "dev.leaderelection.aop..",
        "dev.leaderelection.annotation..",
        "dev.leaderelection.event.."
    };

    @Test
    void theGenericWiringKnowsNoStore() {
        noClasses()
                .that()
                .resideInAnyPackage(SPRING_GLUE)
                .and()
                .doNotBelongToAnyOf(LeaderElectionRedisAutoConfiguration.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.leaderelection.redis..", "org.springframework.data.redis..", "io.lettuce..")
                .check(CLASSES);
    }

    @Test
    void onlyTheKubernetesAutoConfigurationKnowsTheKubernetesStore() {
        noClasses()
                .that()
                .resideInAnyPackage(SPRING_GLUE)
                .and()
                .doNotBelongToAnyOf(LeaderElectionKubernetesAutoConfiguration.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.leaderelection.kubernetes..", "io.fabric8..")
                .check(CLASSES);
    }

    @Test
    void theEventsImportNoStoreClientOrMetricsLibrary() {
        noClasses()
                .that()
                .resideInAPackage("dev.leaderelection.event..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework.data..",
                        "io.lettuce..",
                        "reactor..",
                        "io.micrometer..",
                        "org.springframework.boot..",
                        "dev.leaderelection.redis..",
                        "dev.leaderelection.autoconfigure..",
                        "dev.leaderelection.actuate..",
                        "dev.leaderelection.aop..")
                .check(CLASSES);
    }

    @Test
    void aStoreKnowsNeitherSpringBootNorTheGlue() {
        noClasses()
                .that()
                .resideInAPackage("dev.leaderelection.redis..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework.boot..",
                        "org.springframework.context..",
                        "io.micrometer..",
                        "dev.leaderelection.autoconfigure..",
                        "dev.leaderelection.actuate..",
                        "dev.leaderelection.aop..",
                        "dev.leaderelection.annotation..",
                        "dev.leaderelection.event..")
                .check(CLASSES);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.leaderelection.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
