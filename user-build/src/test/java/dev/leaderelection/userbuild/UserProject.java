package dev.leaderelection.userbuild;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Spring Boot application as a user writes it: a pom whose only dependency is the README's
 * {@code <dependency>} (plus Spring Boot's BOM and Maven plugin, which every Boot application has),
 * an {@code application.properties} and a few classes. Another scenario (two named elections, say)
 * is another instance: other properties, other classes.
 *
 * @param name the artifactId, and the directory under the work directory
 * @param properties the lines of {@code application.properties}
 * @param sources Java sources, one public class each (a {@code @SpringBootApplication} among them),
 *     whose package and class name place the file
 */
record UserProject(String name, Map<String, String> properties, List<String> sources) {

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern CLASS = Pattern.compile("^public\\s+(?:final\\s+)?class\\s+(\\w+)", Pattern.MULTILINE);
    private static final String VERSION = "1.0";

    /** Writes the project into {@code directory}, which must be empty or missing. */
    void writeTo(Path directory, ReadmeDependency dependency, String springBootVersion) {
        StringBuilder properties = new StringBuilder();
        new TreeMap<>(properties())
                .forEach((key, value) ->
                        properties.append(key).append('=').append(value).append('\n'));
        try {
            // its own .mvn, so that Maven sees a project of its own, not a module of the reactor around it
            Files.createDirectories(directory.resolve(".mvn"));
            Files.writeString(directory.resolve("pom.xml"), pom(dependency, springBootVersion));
            for (String source : sources) {
                Path file = directory
                        .resolve("src/main/java")
                        .resolve(find(PACKAGE, source, "package").replace('.', '/'))
                        .resolve(find(CLASS, source, "public class") + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source);
            }
            Path resources = Files.createDirectories(directory.resolve("src/main/resources"));
            Files.writeString(resources.resolve("application.properties"), properties);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot write the project " + name + " to " + directory, ex);
        }
    }

    /** The executable jar that {@code mvn package} makes in {@code directory}. */
    Path jar(Path directory) {
        return directory.resolve("target").resolve(name + "-" + VERSION + ".jar");
    }

    private String find(Pattern pattern, String source, String what) {
        Matcher matcher = pattern.matcher(source);
        if (!matcher.find()) {
            throw new IllegalArgumentException("No '" + what + "' declaration in a source of " + name + ":\n" + source);
        }
        return matcher.group(1);
    }

    private String pom(ReadmeDependency dependency, String springBootVersion) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>%1$s</artifactId>
                  <version>%2$s</version>

                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>

                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>org.springframework.boot</groupId>
                        <artifactId>spring-boot-dependencies</artifactId>
                        <version>%3$s</version>
                        <type>pom</type>
                        <scope>import</scope>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>

                  <dependencies>
                <!-- from README.md, verbatim -->
                %4$s
                  </dependencies>

                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.springframework.boot</groupId>
                        <artifactId>spring-boot-maven-plugin</artifactId>
                        <version>%3$s</version>
                        <executions>
                          <execution>
                            <goals>
                              <goal>repackage</goal>
                            </goals>
                          </execution>
                        </executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(name, VERSION, springBootVersion, dependency.xml().stripTrailing());
    }
}
