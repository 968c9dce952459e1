package dev.backout.database;

import java.util.Locale;
import java.util.Map;

import org.springframework.jdbc.core.ResultSetExtractor;

/**
 * One select of the console's database and what its rows become, so that a page can send the
 * selects of several modules at once ({@link OneTrip}) while each module keeps its own SQL.
 * Only a select: sent without a transaction, nothing would make a write read-only.
 *
 * @param sql a single select (or {@code with} … select) with named parameters, no {@code ;}
 * @param params its parameters by name
 * @param rows what its result becomes; kept short, as the connection is held meanwhile
 */
public record ConsoleQuery<T>(String sql, Map<String, ?> params, ResultSetExtractor<T> rows) {

	public ConsoleQuery {
		String start = sql.stripLeading().toLowerCase(Locale.ROOT);
		if (!(start.startsWith("select") || start.startsWith("with")) || sql.contains(";")) {
			throw new IllegalArgumentException("Not a single select: " + sql);
		}
		params = Map.copyOf(params);
	}

}
