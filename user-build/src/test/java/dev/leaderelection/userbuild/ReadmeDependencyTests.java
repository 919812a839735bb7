package dev.leaderelection.userbuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeDependencyTests {

    private static final String DEPENDENCY = """
            <dependency>
              <groupId>dev.leaderelection</groupId>
              <artifactId>leader-election-starter</artifactId>
              <version>1.2.3</version>
            </dependency>
            """;

    @TempDir
    Path directory;

    @Test
    void readShouldTakeTheXmlBlockAfterTheMarkerVerbatim() throws IOException {
        ReadmeDependency dependency = ReadmeDependency.read(
                readme("# Title\n\n```xml\n<other/>\n```\n\nAdd the starter (Spring Boot 4.1):\n\n```xml\n" + DEPENDENCY
                        + "```\n\nThat is all.\n"));
        assertThat(dependency.xml()).isEqualTo(DEPENDENCY);
        assertThat(dependency.groupId()).isEqualTo("dev.leaderelection");
        assertThat(dependency.artifactId()).isEqualTo("leader-election-starter");
        assertThat(dependency.version()).isEqualTo("1.2.3");
    }

    @Test
    void readWhenMarkerIsMissingShouldFailNamingIt() throws IOException {
        Path readme = readme("# Title\n\n```xml\n" + DEPENDENCY + "```\n");
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> ReadmeDependency.read(readme))
                .withMessageStartingWith("No line starting with 'Add the starter' in " + readme);
    }

    @Test
    void readWhenNoXmlBlockFollowsBeforeTheNextHeadingShouldFail() throws IOException {
        Path readme = readme("Add the starter:\n\n## Next\n\n```xml\n" + DEPENDENCY + "```\n");
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> ReadmeDependency.read(readme))
                .withMessageContaining("No ```xml block follows 'Add the starter' (line 1)")
                .withMessageContaining("the starter's <dependency> snippet is missing");
    }

    @Test
    void readWhenTheSnippetHasATypeShouldFail() throws IOException {
        Path readme = readme("Add the starter:\n\n```xml\n"
                + DEPENDENCY.replace("</version>", "</version>\n  <type>pom</type>") + "```\n");
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> ReadmeDependency.read(readme))
                .withMessageContaining("must be one <dependency> with exactly [groupId, artifactId, version]")
                .withMessageContaining("but it is <dependency> with [groupId, artifactId, version, type]");
    }

    private Path readme(String text) throws IOException {
        return Files.writeString(directory.resolve("README.md"), text);
    }
}
