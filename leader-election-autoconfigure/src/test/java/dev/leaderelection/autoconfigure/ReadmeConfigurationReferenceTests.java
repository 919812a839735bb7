package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the configuration reference in the README in step with the configuration metadata that
 * spring-boot-configuration-processor writes from {@link LeaderElectionProperties}.
 *
 * <p>The reference is the Markdown table between {@value #START} and {@value #END}: a header row, a
 * separator row, then one row per property, {@code | `leader.election.x` | default | meaning |}. A
 * default cell that is exactly one code span ({@code `10s`}) is a literal default and must equal the
 * metadata's {@code defaultValue}; anything else (prose such as "1% of the lease + 5 ms") describes a
 * computed default, for a property whose metadata has none.
 *
 * <p>A map whose values are groups of properties, such as {@code leader.election.elections}, has
 * one entry in the metadata, typed {@code java.util.Map<java.lang.String,...>}; its row names it
 * with a placeholder key and a wildcard, {@code `leader.election.elections.<name>.*`}, and a map of
 * plain values keeps the plain form.
 */
class ReadmeConfigurationReferenceTests {

    static final String START = "<!-- configuration-reference:start -->";
    static final String END = "<!-- configuration-reference:end -->";

    private static final String PREFIX = "leader.election.";
    private static final List<String> METADATA_FILES = List.of(
            "META-INF/spring-configuration-metadata.json", "META-INF/additional-spring-configuration-metadata.json");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern PROPERTY_CELL =
            Pattern.compile("`(" + Pattern.quote(PREFIX) + "[a-z0-9.-]+?)(\\.<[a-z-]+>\\.\\*)?`");
    private static final Pattern SEPARATOR_CELL = Pattern.compile(":?-{3,}:?");
    private static final JsonMapper json = JsonMapper.builder().build();

    @Test
    void referenceListsExactlyThePropertiesOfTheMetadata() {
        Set<String> documented = new TreeSet<>(readmeReference().keySet());
        Set<String> declared = new TreeSet<>(metadata().keySet());
        declared.removeIf(name -> !name.startsWith(PREFIX));

        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(documented);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(declared);

        assertThat(missing)
                .as("Properties in the configuration metadata without a row in the README's configuration "
                        + "reference: add a row for each")
                .isEmpty();
        assertThat(extra)
                .as("Rows in the README's configuration reference for properties that the configuration "
                        + "metadata does not declare: remove or rename them")
                .isEmpty();
    }

    @Test
    void referenceShowsTheDefaultsOfTheMetadata() {
        Map<String, MetadataProperty> metadata = metadata();
        List<String> mismatches = new ArrayList<>();
        readmeReference().forEach((name, row) -> {
            MetadataProperty property = metadata.get(name);
            if (property == null) {
                return; // reported by referenceListsExactlyThePropertiesOfTheMetadata
            }
            String literal = literalDefault(row.defaultCell());
            JsonNode expected = property.defaultValue();
            if (expected == null) {
                if (literal != null) {
                    mismatches.add(
                            "%s (README line %d): README gives the default `%s`, but the metadata has no default; describe a computed default in words, or initialise the field"
                                    .formatted(name, row.line(), literal));
                }
            } else if (literal == null) {
                mismatches.add(
                        "%s (README line %d): the metadata's default is %s, but the README's default cell is not a single code span: '%s'"
                                .formatted(name, row.line(), expected, row.defaultCell()));
            } else if (!sameDefault(property.type(), expected, literal)) {
                mismatches.add("%s (README line %d): README says `%s`, the metadata says %s"
                        .formatted(name, row.line(), literal, expected));
            }
        });
        assertThat(mismatches)
                .as("Defaults in the README's configuration reference that differ from the configuration metadata")
                .isEmpty();
    }

    @Test
    void referenceWritesMapsOfGroupsWithAKeyPlaceholder() {
        Map<String, MetadataProperty> metadata = metadata();
        List<String> mismatches = new ArrayList<>();
        readmeReference().forEach((name, row) -> {
            MetadataProperty property = metadata.get(name);
            if (property == null) {
                return; // reported by referenceListsExactlyThePropertiesOfTheMetadata
            }
            boolean mapOfGroups = isMapOfGroups(property.type());
            if (mapOfGroups && !row.keyed()) {
                mismatches.add("%s (README line %d): a map of property groups (%s); write its row as `%s.<name>.*`"
                        .formatted(name, row.line(), property.type(), name));
            } else if (!mapOfGroups && row.keyed()) {
                mismatches.add("%s (README line %d): `.<key>.*` only suits a map of property groups, but the type is %s"
                        .formatted(name, row.line(), property.type()));
            }
        });
        assertThat(mismatches)
                .as("Rows of the README's configuration reference whose form does not suit the property's type")
                .isEmpty();
    }

    @Test
    void metadataDescribesEveryProperty() {
        List<String> undescribed = metadata().values().stream()
                .filter(property ->
                        property.description() == null || property.description().isBlank())
                .map(MetadataProperty::name)
                .sorted()
                .toList();
        assertThat(undescribed)
                .as("Properties without a description in the configuration metadata: give each field a Javadoc "
                        + "comment (or a description in additional-spring-configuration-metadata.json)")
                .isEmpty();
    }

    /** The rows of the configuration reference by property name, in README order. */
    private static Map<String, Row> readmeReference() {
        Path readme = locateReadme();
        List<String> lines = read(readme);
        int start = indexOfOnly(lines, START, readme);
        int end = indexOfOnly(lines, END, readme);
        if (end < start) {
            fail("%s: %s must come before %s", readme, START, END);
        }
        List<Integer> tableLines = new ArrayList<>();
        for (int i = start + 1; i < end; i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("|")) {
                tableLines.add(i);
            } else if (!line.isEmpty() || (!tableLines.isEmpty() && hasTableLineAfter(lines, i, end))) {
                fail(
                        "%s line %d: only one Markdown table may stand between the configuration reference markers, but found: '%s'",
                        readme, i + 1, lines.get(i));
            }
        }
        if (tableLines.size() < 3) {
            fail(
                    "%s: the configuration reference needs a header row, a separator row and at least one property row",
                    readme);
        }
        List<String> separator = cells(lines.get(tableLines.get(1)), tableLines.get(1) + 1);
        if (!separator.stream().allMatch(cell -> SEPARATOR_CELL.matcher(cell).matches())) {
            fail(
                    "%s line %d: expected the table's separator row, such as '|---|---|---|'",
                    readme, tableLines.get(1) + 1);
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        for (int index : tableLines.subList(2, tableLines.size())) {
            int lineNumber = index + 1;
            List<String> cells = cells(lines.get(index), lineNumber);
            if (cells.size() != 3 || cells.stream().anyMatch(String::isBlank)) {
                fail(
                        "README line %d: a configuration reference row has three non-empty cells, "
                                + "| `leader.election.x` | default | meaning |, but found: '%s'",
                        lineNumber, lines.get(index));
            }
            Matcher property = PROPERTY_CELL.matcher(cells.get(0));
            if (!property.matches()) {
                fail(
                        "README line %d: the first cell must be the property name as one code span, such as "
                                + "`leader.election.lease-duration`, but found: '%s'",
                        lineNumber, cells.get(0));
            }
            String name = property.group(1);
            if (rows.put(name, new Row(cells.get(1), lineNumber, property.group(2) != null)) != null) {
                fail("README line %d: %s has more than one row", lineNumber, name);
            }
        }
        return rows;
    }

    /** The properties of this module's configuration metadata, generated and additional, by name. */
    private static Map<String, MetadataProperty> metadata() {
        Map<String, MetadataProperty> properties = new LinkedHashMap<>();
        ClassLoader classLoader = ReadmeConfigurationReferenceTests.class.getClassLoader();
        for (String file : METADATA_FILES) {
            for (URL url : resources(classLoader, file)) {
                JsonNode document = read(url);
                if (!isOurs(document)) {
                    continue;
                }
                for (JsonNode property : document.path("properties")) {
                    String name = property.path("name").asString();
                    JsonNode defaultValue = property.get("defaultValue");
                    JsonNode description = property.get("description");
                    properties.putIfAbsent(
                            name,
                            new MetadataProperty(
                                    name,
                                    property.path("type").asString(""),
                                    defaultValue == null || defaultValue.isNull() ? null : defaultValue,
                                    description == null || description.isNull() ? null : description.asString()));
                }
            }
        }
        assertThat(properties.keySet())
                .as("leader.election.* properties in META-INF/spring-configuration-metadata.json on the test "
                        + "classpath; spring-boot-configuration-processor writes it when the module compiles")
                .anyMatch(name -> name.startsWith(PREFIX));
        return properties;
    }

    /** Whether a metadata document describes this module: other jars bring their own. */
    private static boolean isOurs(JsonNode document) {
        for (String section : List.of("groups", "properties")) {
            for (JsonNode item : document.path(section)) {
                if (item.path("name").asString("").startsWith(PREFIX)
                        || item.path("sourceType").asString("").startsWith("dev.leaderelection.")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static @Nullable String literalDefault(String cell) {
        Matcher codeSpan = CODE_SPAN.matcher(cell.strip());
        return codeSpan.matches() ? codeSpan.group(1) : null;
    }

    /** Compares as the type demands: "10s" equals "10000ms", 2 equals "2.0". */
    private static boolean sameDefault(String type, JsonNode expected, String literal) {
        try {
            if (type.equals(Duration.class.getName())) {
                return DurationStyle.detectAndParse(literal).equals(DurationStyle.detectAndParse(expected.asString()));
            }
            if (expected.isNumber()) {
                return new BigDecimal(literal).compareTo(expected.decimalValue()) == 0;
            }
            if (expected.isBoolean()) {
                return literal.equals(Boolean.toString(expected.booleanValue()));
            }
            return literal.equals(expected.asString());
        } catch (IllegalArgumentException ex) { // not a duration or not a number
            return false;
        }
    }

    /** The cells of a Markdown table row; a pipe escaped as {@code \|} stays in its cell. */
    private static List<String> cells(String line, int lineNumber) {
        String row = line.strip();
        if (!row.startsWith("|") || !row.endsWith("|") || row.length() < 2) {
            fail("README line %d: a table row starts and ends with '|', but found: '%s'", lineNumber, line);
        }
        List<String> cells = new ArrayList<>();
        for (String cell : row.substring(1, row.length() - 1).split("(?<!\\\\)\\|", -1)) {
            cells.add(cell.strip().replace("\\|", "|"));
        }
        return cells;
    }

    private static boolean hasTableLineAfter(List<String> lines, int from, int end) {
        return lines.subList(from, end).stream().anyMatch(line -> line.strip().startsWith("|"));
    }

    private static int indexOfOnly(List<String> lines, String marker, Path readme) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                found.add(i);
            }
        }
        if (found.size() != 1) {
            fail("%s must contain the line %s exactly once, but has it %d times", readme, marker, found.size());
        }
        return found.get(0);
    }

    /** The repository's README: found from the module directory (Maven's working directory) upwards. */
    private static Path locateReadme() {
        Path start = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path readme = dir.resolve("README.md");
            if (Files.isRegularFile(readme) && Files.isDirectory(dir.resolve("leader-election-autoconfigure"))) {
                return readme;
            }
        }
        return fail("No README.md next to leader-election-autoconfigure/ in %s or any parent directory", start);
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static JsonNode read(URL url) {
        try (InputStream in = url.openStream()) {
            return json.readTree(in);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + url, ex);
        }
    }

    private static List<URL> resources(ClassLoader classLoader, String name) {
        try {
            return Collections.list(classLoader.getResources(name));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Whether {@code type} is a map whose values are one of this project's property groups. */
    private static boolean isMapOfGroups(String type) {
        return type.startsWith("java.util.Map<") && type.contains(",dev.leaderelection.");
    }

    /**
     * A row of the README's configuration reference; {@code keyed} when the property is written with
     * a key placeholder and a wildcard ({@code leader.election.elections.<name>.*}).
     */
    private record Row(String defaultCell, int line, boolean keyed) {}

    /** A property as the configuration metadata declares it. */
    private record MetadataProperty(
            String name,
            String type,
            @Nullable JsonNode defaultValue,
            @Nullable String description) {}
}
