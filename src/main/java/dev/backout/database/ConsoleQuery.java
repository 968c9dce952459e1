package dev.backout.database;

import java.util.Map;

import java.util.List;
import java.util.Optional;

import org.springframework.dao.support.DataAccessUtils;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.jdbc.core.simple.JdbcClient;

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
		// Made on every poll: the check copies nothing.
		String start = sql.stripLeading();
		if (!(start.regionMatches(true, 0, "select", 0, 6) || start.regionMatches(true, 0, "with", 0, 4)) || sql.contains(";")) {
			throw new IllegalArgumentException("Not a single select: " + sql);
		}
		params = Map.copyOf(params);
	}

	/** A select of rows, each mapped by {@code row}. */
	public static <T> ConsoleQuery<List<T>> list(String sql, Map<String, ?> params, RowMapper<T> row) {
		return new ConsoleQuery<>(sql, params, new RowMapperResultSetExtractor<>(row));
	}

	/** A select of at most one row, mapped by {@code row}; more than one is an error. */
	public static <T> ConsoleQuery<Optional<T>> optional(String sql, Map<String, ?> params, RowMapper<T> row) {
		RowMapperResultSetExtractor<T> rows = new RowMapperResultSetExtractor<>(row);
		return new ConsoleQuery<>(sql, params, (rs) -> DataAccessUtils.optionalResult(rows.extractData(rs)));
	}

	/** This select alone, on {@code jdbc}: for a module's own use of a query it also sends with others. */
	public T readWith(JdbcClient jdbc) {
		return jdbc.sql(this.sql).params(this.params).query(this.rows);
	}

}
