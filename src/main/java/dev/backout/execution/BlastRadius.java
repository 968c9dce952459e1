package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a destructive step would remove beyond the rows its runbook counts, read from the target's
 * catalog before anyone types the confirmation: each table it drops, empties or deletes from, with
 * its size and indexes, and what foreign keys carry further (rows deleted by ON DELETE CASCADE,
 * tables emptied by TRUNCATE … CASCADE, views and constraints removed by DROP … CASCADE). One level
 * of foreign keys is followed. Only catalog reads and counts, in the caller's READ ONLY transaction.
 */
public record BlastRadius(List<String> effects) {

	private static final String NAME = "((?:\"[^\"]+\"|[A-Za-z_][\\w$]*)(?:\\s*\\.\\s*(?:\"[^\"]+\"|[A-Za-z_][\\w$]*))?)";

	private static final Pattern DROP_TABLE = Pattern.compile("(?is)^\\s*DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(.+?)\\s*(CASCADE|RESTRICT)?\\s*$");

	private static final Pattern TRUNCATE = Pattern.compile("(?is)^\\s*TRUNCATE\\s+(?:TABLE\\s+)?(?:ONLY\\s+)?(.+?)(?:\\s+(?:RESTART|CONTINUE)\\s+IDENTITY)?\\s*(CASCADE|RESTRICT)?\\s*$");

	private static final Pattern DELETE = Pattern.compile("(?is)^\\s*DELETE\\s+FROM\\s+(?:ONLY\\s+)?" + NAME + "(.*)$");

	public static BlastRadius of(Connection connection, List<String> statements) throws SQLException {
		List<String> effects = new ArrayList<>();
		try (Statement savepoints = connection.createStatement()) {
			for (String sql : statements) {
				savepoints.execute("SAVEPOINT blast_radius");
				try {
					effectsOf(connection, sql.trim(), effects);
				}
				catch (SQLException ex) {
					savepoints.execute("ROLLBACK TO SAVEPOINT blast_radius");
					effects.add("not analysed (" + ex.getMessage().lines().findFirst().orElse("") + "): " + flat(sql));
				}
			}
		}
		return new BlastRadius(List.copyOf(effects));
	}

	private static void effectsOf(Connection connection, String sql, List<String> effects) throws SQLException {
		Matcher drop = DROP_TABLE.matcher(sql);
		if (drop.matches()) {
			boolean cascade = drop.group(2) != null && drop.group(2).equalsIgnoreCase("CASCADE");
			for (String name : names(drop.group(1))) {
				Table table = table(connection, name);
				if (table == null) {
					effects.add("table " + name + " does not exist now: nothing to drop");
					continue;
				}
				effects.add("drops table " + table.describe());
				if (cascade) {
					dependents(connection, table, effects);
				}
			}
			return;
		}
		Matcher truncate = TRUNCATE.matcher(sql);
		if (truncate.matches()) {
			boolean cascade = truncate.group(2) != null && truncate.group(2).equalsIgnoreCase("CASCADE");
			for (String name : names(truncate.group(1))) {
				Table table = table(connection, name);
				if (table != null) {
					effects.add("empties table " + table.describe());
					if (cascade) {
						for (Reference child : references(connection, table)) {
							Table emptied = table(connection, child.table());
							effects.add("also empties " + ((emptied != null) ? emptied.describe() : child.table()) + " (TRUNCATE … CASCADE)");
						}
					}
				}
			}
			return;
		}
		Matcher delete = DELETE.matcher(sql);
		// The count below runs the DELETE's own condition: never one that calls a function with side effects.
		if (delete.matches() && dev.backout.runbook.SqlScript.statements(sql).stream().allMatch((s) -> s.sideEffectFunction().isEmpty())) {
			Table table = table(connection, delete.group(1));
			if (table == null) {
				return;
			}
			String rest = delete.group(2).replaceAll("(?is)\\s+RETURNING\\s.*$", "");
			effects.add("deletes from " + table.describe());
			for (Reference child : references(connection, table)) {
				if (rest.toUpperCase(Locale.ROOT).matches("(?s).*\\bUSING\\b.*")) {
					effects.add(child.table() + " references it (" + child.action() + "); not counted for a DELETE … USING");
					continue;
				}
				// The rows of the child whose key is among the deleted parents' keys.
				String count = "SELECT count(*) FROM " + child.table() + " WHERE (" + child.columns() + ") IN (SELECT "
						+ child.referenced() + " FROM " + delete.group(1) + rest + ")";
				try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(count)) {
					rs.next();
					long rows = rs.getLong(1);
					if (rows > 0) {
						effects.add(switch (child.action()) {
							case "c" -> "also deletes " + rows + " rows of " + child.table() + " (ON DELETE CASCADE)";
							case "n" -> "sets " + child.columns() + " to null in " + rows + " rows of " + child.table() + " (ON DELETE SET NULL)";
							case "d" -> "sets " + child.columns() + " to its default in " + rows + " rows of " + child.table();
							default -> rows + " rows of " + child.table() + " reference them: the DELETE fails unless they go first";
						});
					}
				}
			}
		}
	}

	private static void dependents(Connection connection, Table table, List<String> effects) throws SQLException {
		try (PreparedStatement views = connection.prepareStatement("""
				SELECT DISTINCT v.oid::regclass::text FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
				JOIN pg_class v ON v.oid = r.ev_class WHERE d.refobjid = ? AND v.oid <> ? ORDER BY 1""")) {
			views.setLong(1, table.oid());
			views.setLong(2, table.oid());
			try (ResultSet rs = views.executeQuery()) {
				while (rs.next()) {
					effects.add("also drops view " + rs.getString(1) + " (CASCADE)");
				}
			}
		}
		for (Reference child : references(connection, table)) {
			effects.add("also drops the foreign key of " + child.table() + " (CASCADE); its rows stay");
		}
	}

	private record Table(long oid, String name, long rows, long bytes, long indexBytes, int indexes) {

		String describe() {
			return this.name + ": about " + this.rows + " rows, " + size(this.bytes) + ((this.indexes > 0)
					? " with " + this.indexes + " index" + ((this.indexes > 1) ? "es" : "") + " (" + size(this.indexBytes) + ")" : "");
		}

	}

	private record Reference(String table, String columns, String referenced, String action) {
	}

	private static Table table(Connection connection, String name) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("""
				SELECT c.oid, c.oid::regclass::text, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid),
				       pg_indexes_size(c.oid), (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid)
				FROM pg_class c WHERE c.oid = to_regclass(?)""")) {
			statement.setString(1, name);
			try (ResultSet rs = statement.executeQuery()) {
				return rs.next() ? new Table(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getInt(6))
						: null;
			}
		}
	}

	/** Foreign keys from other tables to {@code table}, with their columns and ON DELETE action. */
	private static List<Reference> references(Connection connection, Table table) throws SQLException {
		List<Reference> references = new ArrayList<>();
		try (PreparedStatement statement = connection.prepareStatement("""
				SELECT f.conrelid::regclass::text,
				       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) FROM unnest(f.conkey) WITH ORDINALITY k(att, n)
				          JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.att),
				       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) FROM unnest(f.confkey) WITH ORDINALITY k(att, n)
				          JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.att),
				       f.confdeltype
				FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = ? AND f.conrelid <> f.confrelid ORDER BY 1""")) {
			statement.setLong(1, table.oid());
			try (ResultSet rs = statement.executeQuery()) {
				while (rs.next()) {
					references.add(new Reference(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
				}
			}
		}
		return references;
	}

	private static List<String> names(String list) {
		List<String> names = new ArrayList<>();
		Matcher matcher = Pattern.compile(NAME).matcher(list);
		while (matcher.find()) {
			names.add(matcher.group(1).replaceAll("\\s+", ""));
		}
		return names;
	}

	private static String size(long bytes) {
		if (bytes >= 1 << 30) {
			return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1 << 30));
		}
		if (bytes >= 1 << 20) {
			return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1 << 20));
		}
		return String.format(Locale.ROOT, "%d kB", Math.max(1, bytes / 1024));
	}

	private static String flat(String sql) {
		String flat = sql.replaceAll("\\s+", " ").trim();
		return (flat.length() > 80) ? flat.substring(0, 77) + "…" : flat;
	}

}
