package dev.backout.database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCreatorFactory;
import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.stereotype.Component;
import org.springframework.util.ConcurrentLruCache;

/**
 * Sends several selects to the console's database as one message: the driver writes them all
 * before it waits, so they cost one round trip where each would cost its own (and a transaction
 * around them one more for its COMMIT). Each select still sees the data committed when it starts,
 * as in a READ COMMITTED transaction. On the caller's connection when it has a transaction.
 */
@Component
public class OneTrip {

	private final JdbcTemplate jdbc;

	/** The selects are constants of the modules (the history's in a few shapes): parsed once, as NamedParameterJdbcTemplate does. */
	private final ConcurrentLruCache<String, ParsedSql> parsedSql = new ConcurrentLruCache<>(256, NamedParameterUtils::parseSqlStatement);

	OneTrip(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** What {@link #read} found, by query. */
	public static final class Results {

		private final Map<ConsoleQuery<?>, Object> values = new IdentityHashMap<>();

		@SuppressWarnings("unchecked")
		public <T> T of(ConsoleQuery<T> query) {
			if (!this.values.containsKey(query)) {
				throw new IllegalArgumentException("Not one of the queries read: " + query.sql());
			}
			return (T) this.values.get(query);
		}

	}

	/** The queries' results, from one round trip; one query failing fails them all. */
	public Results read(List<ConsoleQuery<?>> queries) {
		if (queries.isEmpty()) {
			throw new IllegalArgumentException("Nothing to read");
		}
		StringBuilder sql = new StringBuilder();
		List<SqlParameter> declared = new ArrayList<>();
		List<Object> values = new ArrayList<>();
		for (ConsoleQuery<?> query : queries) {
			// Each query's names become positions of its own, so two queries may use one name for different values.
			ParsedSql parsed = this.parsedSql.get(query.sql());
			MapSqlParameterSource params = new MapSqlParameterSource(query.params());
			// On a line of its own: a query ending in a line comment must not swallow the separator.
			sql.append((sql.length() > 0) ? "\n;\n" : "").append(NamedParameterUtils.substituteNamedParameters(parsed, params));
			declared.addAll(NamedParameterUtils.buildSqlParameterList(parsed, params));
			values.addAll(List.of(NamedParameterUtils.buildValueArray(parsed, params, null)));
		}
		return this.jdbc.execute(new PreparedStatementCreatorFactory(sql.toString(), declared).newPreparedStatementCreator(values),
				(PreparedStatement statement) -> results(statement, queries));
	}

	private static Results results(PreparedStatement statement, List<ConsoleQuery<?>> queries) throws SQLException {
		Results results = new Results();
		boolean rows = statement.execute();
		for (ConsoleQuery<?> query : queries) {
			if (!rows) {
				throw new IllegalStateException("No result set where a select's was due: " + query.sql());
			}
			try (ResultSet resultSet = statement.getResultSet()) {
				results.values.put(query, query.rows().extractData(resultSet));
			}
			rows = statement.getMoreResults();
		}
		return results;
	}

}
