package dev.leaderelection.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SQL statement from a resource file next to this class, read once: the default table name
 * replaced by the configured one, and named parameters ({@code :name}) turned into JDBC's {@code ?}
 * with the order of their names kept, so a statement can use a parameter many times.
 */
final class SqlScript {

    static final String DEFAULT_TABLE = "leader_election_lease";

    private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([a-z][a-z_]*)");
    private static final Pattern COMMENT = Pattern.compile("--[^\\n]*");

    private final String name;
    private final String sql;
    private final List<String> parameters;

    private SqlScript(String name, String sql, List<String> parameters) {
        this.name = name;
        this.sql = sql;
        this.parameters = List.copyOf(parameters);
    }

    /** Reads {@code resource} and prepares it for {@code table}. */
    static SqlScript load(String resource, String table) {
        String text = COMMENT.matcher(read(resource)).replaceAll("").replace(DEFAULT_TABLE, table);
        List<String> names = new ArrayList<>();
        Matcher matcher = PARAMETER.matcher(text);
        StringBuilder jdbc = new StringBuilder();
        while (matcher.find()) {
            names.add(matcher.group(1));
            matcher.appendReplacement(jdbc, "?");
        }
        matcher.appendTail(jdbc);
        return new SqlScript(resource, jdbc.toString().strip(), names);
    }

    /** The text of {@code resource}, with the default table name replaced by {@code table}. */
    static String text(String resource, String table) {
        return read(resource).replace(DEFAULT_TABLE, table);
    }

    String name() {
        return name;
    }

    String sql() {
        return sql;
    }

    /** The parameter names in the order of the {@code ?} they became. */
    List<String> parameters() {
        return parameters;
    }

    private static String read(String resource) {
        try (InputStream in = SqlScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + resource + " next to " + SqlScript.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + resource, ex);
        }
    }
}
