package dev.leaderelection.userbuild;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The {@code <dependency>} block after the line starting "Add the starter" in README.md, verbatim,
 * so that the README and the user-build test cannot drift apart.
 */
record ReadmeDependency(String xml, String groupId, String artifactId, String version) {

    static final String MARKER = "Add the starter";

    /** The only elements a user writes: no {@code <type>}, {@code <scope>} or {@code <classifier>}. */
    private static final List<String> ELEMENTS = List.of("groupId", "artifactId", "version");

    /** Reads the snippet and checks that it is one plain dependency. */
    static ReadmeDependency read(Path readme) {
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + readme, ex);
        }
        String xml = block(lines, readme);
        Element dependency = parse(xml, readme);
        List<String> names = new ArrayList<>();
        for (Node child = dependency.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element) {
                names.add(element.getTagName());
            }
        }
        if (!dependency.getTagName().equals("dependency") || !names.equals(ELEMENTS)) {
            throw new AssertionError("The snippet after '" + MARKER + "' in " + readme
                    + " must be one <dependency> with exactly " + ELEMENTS
                    + " (what a user adds: no <type>, nothing else), but it is <" + dependency.getTagName()
                    + "> with " + names + ":\n" + xml);
        }
        return new ReadmeDependency(
                xml, text(dependency, "groupId"), text(dependency, "artifactId"), text(dependency, "version"));
    }

    private static String block(List<String> lines, Path readme) {
        int marker = -1;
        for (int i = 0; i < lines.size() && marker < 0; i++) {
            if (lines.get(i).startsWith(MARKER)) {
                marker = i;
            }
        }
        if (marker < 0) {
            throw new AssertionError("No line starting with '" + MARKER + "' in " + readme
                    + ": the user-build test reads the starter's <dependency> from the ```xml block after it");
        }
        for (int i = marker + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            if (lines.get(i).strip().equals("```xml")) {
                StringBuilder xml = new StringBuilder();
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).strip().equals("```")) {
                        return xml.toString();
                    }
                    xml.append(lines.get(j)).append('\n');
                }
                throw new AssertionError("The ```xml block after '" + MARKER + "' in " + readme + " is not closed");
            }
        }
        throw new AssertionError("No ```xml block follows '" + MARKER + "' (line " + (marker + 1) + ") in " + readme
                + " before the next heading: the starter's <dependency> snippet is missing");
    }

    private static Element parse(String xml, Path readme) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder()
                    .parse(new InputSource(new StringReader(xml)))
                    .getDocumentElement();
        } catch (Exception ex) {
            throw new AssertionError("The snippet after '" + MARKER + "' in " + readme + " is not XML:\n" + xml, ex);
        }
    }

    private static String text(Element dependency, String name) {
        return dependency.getElementsByTagName(name).item(0).getTextContent().strip();
    }
}
