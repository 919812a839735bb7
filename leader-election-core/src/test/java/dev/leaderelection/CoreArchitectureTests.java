package dev.leaderelection;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Holds the core to the JDK, slf4j and JSpecify: no Spring, no store client, no metrics. */
class CoreArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.leaderelection");

    @Test
    void theCoreIsNotEmpty() {
        // guards the rules below against passing on nothing
        assertThat(CLASSES.contain(LeaseLeaderElector.class)).isTrue();
    }

    @Test
    void coreImportsNoSpringStoreClientOrMetricsLibrary() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.leaderelection", "dev.leaderelection.store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "io.lettuce..", "reactor..", "io.micrometer..")
                .check(CLASSES);
    }

    @Test
    void coreDependsOnTheJdkSlf4jAndJSpecifyOnly() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.leaderelection", "dev.leaderelection.store..")
                .should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..", "org.slf4j..", "org.jspecify..", "dev.leaderelection..")
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
