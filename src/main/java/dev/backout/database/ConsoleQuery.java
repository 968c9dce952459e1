package dev.backout.database;

import java.util.Map;

import org.springframework.jdbc.core.ResultSetExtractor;

/**
 * One select of the console's database and what its rows become, so that a page can send the
 * selects of several modules at once ({@link OneTrip}) while each module keeps its own SQL.
 *
 * @param sql a single select with named parameters
 * @param params its parameters by name
 * @param rows what its result becomes
 */
public record ConsoleQuery<T>(String sql, Map<String, ?> params, ResultSetExtractor<T> rows) {
}
