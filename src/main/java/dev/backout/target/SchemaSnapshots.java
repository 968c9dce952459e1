package dev.backout.target;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;

import dev.backout.database.ConsoleQuery;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The target's catalog as sorted lines of text — tables, columns, indexes, constraints, RLS
 * flags and policies, triggers, functions, enum types, sequences — captured before an execution
 * and after its verification, stored with the incident and compared line by line.
 * The console's own schemas ({@code backout}, {@code backout_backup}) are left out.
 */
@Service
public class SchemaSnapshots {

	public enum Kind {

		BEFORE, AFTER

	}

	/** A line of the comparison: what was removed, added, or stayed. */
	public record Change(char sign, String line) {
	}

	private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'backout', 'backout_backup') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'";

	private static final List<String> CATALOG_QUERIES = List.of(
			"SELECT 'table ' || n.nspname || '.' || c.relname || CASE WHEN c.relrowsecurity THEN ' (row level security)' ELSE '' END "
					+ "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMAS,
			"SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) "
					+ "|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END "
					+ "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
					+ "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND " + USER_SCHEMAS,
			"SELECT 'index ' || n.nspname || '.' || c.relname || ': ' || pg_get_indexdef(c.oid) "
					+ "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'i' AND " + USER_SCHEMAS,
			"SELECT 'constraint ' || n.nspname || '.' || t.relname || '.' || k.conname || ': ' || pg_get_constraintdef(k.oid) "
					+ "FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE " + USER_SCHEMAS,
			"SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname || ' ' || cmd || coalesce(' using ' || qual, '') "
					+ "|| coalesce(' check ' || with_check, '') FROM pg_policies "
					+ "WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'backout', 'backout_backup')",
			"SELECT 'trigger ' || n.nspname || '.' || c.relname || '.' || t.tgname || ': ' || pg_get_triggerdef(t.oid) "
					+ "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
					+ "WHERE NOT t.tgisinternal AND " + USER_SCHEMAS,
			"SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' "
					+ "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_SCHEMAS,
			"SELECT 'enum ' || n.nspname || '.' || t.typname || ': ' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) "
					+ "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace "
					+ "WHERE " + USER_SCHEMAS + " GROUP BY n.nspname, t.typname",
			"SELECT 'sequence ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
					+ "WHERE c.relkind = 'S' AND " + USER_SCHEMAS);

	private final JdbcClient jdbc;

	SchemaSnapshots(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The catalog of the database behind {@code connection}, one object per line, sorted. */
	public static String capture(Connection connection) throws SQLException {
		List<String> lines = new ArrayList<>();
		try (Statement statement = connection.createStatement()) {
			for (String query : CATALOG_QUERIES) {
				try (ResultSet rs = statement.executeQuery(query)) {
					while (rs.next()) {
						lines.add(rs.getString(1));
					}
				}
			}
		}
		lines.sort(null);
		return String.join("\n", lines);
	}

	@Transactional
	public void store(long incidentId, Target target, Kind kind, String content) {
		this.jdbc.sql("""
				insert into schema_snapshot (incident_id, target_id, kind, content) values (:incident, :target, :kind, :content)
				on conflict (incident_id, kind) do update set content = excluded.content, taken_at = now()
				""")
			.param("incident", incidentId)
			.param("target", target.id())
			.param("kind", kind.name())
			.param("content", content)
			.update();
	}

	/**
	 * An incident's two snapshots as stored; either may be missing.
	 */
	public record Pair(String before, String after) {

		/** What the execution changed in the schema; null until both exist. */
		public List<Change> changes() {
			return (this.before != null && this.after != null) ? diff(this.before, this.after) : null;
		}

	}

	/**
	 * Both snapshots of an incident in one select, a query to send with others
	 * ({@link dev.backout.database.OneTrip}). They are compared once read ({@link Pair#changes}),
	 * not while the connection is held.
	 */
	public static ConsoleQuery<Pair> pairQuery(long incidentId) {
		return new ConsoleQuery<>("""
				select max(content) filter (where kind = 'BEFORE') as before, max(content) filter (where kind = 'AFTER') as after
				from schema_snapshot where incident_id = :incident""", Map.of("incident", incidentId), (rs) -> {
			// An aggregate without grouping: always one row.
			rs.next();
			return new Pair(rs.getString("before"), rs.getString("after"));
		});
	}

	public Optional<String> find(long incidentId, Kind kind) {
		return this.jdbc.sql("select content from schema_snapshot where incident_id = :incident and kind = :kind")
			.param("incident", incidentId)
			.param("kind", kind.name())
			.query(String.class)
			.optional();
	}

	/** What changed between two snapshots: removed lines ({@code -}) and added lines ({@code +}). */
	public static List<Change> diff(String before, String after) {
		Patch<String> patch = DiffUtils.diff(before.lines().toList(), after.lines().toList());
		List<Change> changes = new ArrayList<>();
		for (AbstractDelta<String> delta : patch.getDeltas()) {
			delta.getSource().getLines().forEach((line) -> changes.add(new Change('-', line)));
			delta.getTarget().getLines().forEach((line) -> changes.add(new Change('+', line)));
		}
		return changes;
	}

}
