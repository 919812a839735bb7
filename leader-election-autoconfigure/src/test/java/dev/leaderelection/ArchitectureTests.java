package dev.leaderelection;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Holds the layering of the design notes: the core knows no store, no Spring Data, no metrics. */
class ArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.leaderelection");

    @Test
    void coreImportsNoStoreClientOrMetricsLibrary() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.leaderelection", "dev.leaderelection.store..", "dev.leaderelection.event..")
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
    void theStoreSpiDependsOnNothingElseOfOurs() {
        noClasses()
                .that()
                .resideInAPackage("dev.leaderelection.store..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.leaderelection")
                .check(CLASSES);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.leaderelection.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
