package dev.backout.runbook;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draft runbooks from the rollback scripts migration tools already write: Flyway's undo
 * migrations with its history table, and alembic's offline downgrade SQL. Each change becomes a
 * step (transaction wrappers removed), and the tool's own record of what is deployed is updated in
 * the same plan, so that the tool and the database agree afterwards.
 */
public final class MigrationToolImport {

	private static final Pattern FLYWAY_UNDO = Pattern.compile("(?:.*/)?U([0-9][0-9._]*)__(.+)\\.sql");

	private static final Pattern ALEMBIC_SECTION = Pattern.compile("(?m)^-- Running downgrade (\\S+) -> (\\S*)\\s*$");

	private MigrationToolImport() {
	}

	/** @param changes the changes reverted, newest first */
	public record Draft(String yaml, List<String> todos, List<String> changes) {
	}

	/**
	 * Flyway: the undo migrations ({@code U<version>__<description>.sql}) of the {@code last}
	 * highest versions, newest first, and their rows of {@code flyway_schema_history} removed.
	 */
	public static Draft flyway(String id, Map<String, String> files, int last, String historyTable) {
		record Undo(String version, String description, String sql) {
		}
		List<Undo> undos = new ArrayList<>();
		files.forEach((path, sql) -> {
			Matcher undo = FLYWAY_UNDO.matcher(path);
			if (undo.matches()) {
				undos.add(new Undo(undo.group(1).replace('_', '.'), undo.group(2).replace('_', ' '), sql));
			}
		});
		undos.sort(Comparator.comparing(Undo::version, MigrationToolImport::compareVersions).reversed());
		if (last < 1 || last > undos.size()) {
			throw new IllegalArgumentException("The project has " + undos.size() + " undo migrations (U<version>__*.sql); revert between 1 and "
					+ undos.size() + " of them.");
		}
		List<Undo> reverted = undos.subList(0, last);
		String table = (historyTable != null && !historyTable.isBlank()) ? historyTable : "flyway_schema_history";
		if (!table.matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?")) {
			throw new IllegalArgumentException("The history table must be a plain name, like flyway_schema_history or app.flyway_history.");
		}
		List<String> todos = new ArrayList<>();
		List<Map<String, Object>> prechecks = new ArrayList<>();
		List<Map<String, Object>> execute = new ArrayList<>();
		String versions = String.join(", ", reverted.stream().map((undo) -> DraftYaml.literal(undo.version())).toList());
		prechecks.add(DraftYaml.ordered("id", "versions-applied", "title", "Flyway's history lists versions " + names(reverted.stream()
			.map(Undo::version)
			.toList()) + " as applied", "check", "SELECT count(*) FROM " + table + " WHERE success AND version IN (" + versions + ")",
				"expect", Map.of("equals", reverted.size())));
		for (Undo undo : reverted) {
			execute.add(DraftYaml.sqlStep("undo-" + DraftYaml.slug(undo.version()), "Undo " + undo.version() + ": " + undo.description(),
					DraftYaml.withoutTransactionControl(undo.sql()), "RUN undo-" + DraftYaml.slug(undo.version()), todos));
		}
		execute.add(DraftYaml.ordered("id", "flyway-history", "title", "Remove the undone versions from Flyway's history", "sql",
				"DELETE FROM " + table + " WHERE version IN (" + versions + ");"));
		List<Map<String, Object>> verify = List.of(DraftYaml.ordered("id", "history-updated", "title",
				"Flyway's history no longer lists the undone versions", "check",
				"SELECT count(*) FROM " + table + " WHERE version IN (" + versions + ")", "expect", Map.of("equals", 0)));
		todos.add(0, "Add checks that prove each undo worked (the tables, columns or indexes it removes are gone).");
		List<String> changes = reverted.stream().map(Undo::version).toList();
		return draft(id, "Flyway undo migrations", "Undo Flyway versions " + names(changes), "flyway", table,
				"Undoes Flyway versions " + names(changes) + " with their undo migrations, newest first, and removes them from "
						+ table + ".",
				prechecks, execute, verify, todos, changes);
	}

	/**
	 * alembic: the output of {@code alembic downgrade <from>:<to> --sql}; each "Running downgrade"
	 * section is a step, with the UPDATE of alembic_version that alembic writes into it.
	 */
	public static Draft alembic(String id, String offlineSql) {
		Matcher section = ALEMBIC_SECTION.matcher(offlineSql);
		List<int[]> bounds = new ArrayList<>();
		List<String[]> revisions = new ArrayList<>();
		while (section.find()) {
			bounds.add(new int[] { section.start(), section.end() });
			revisions.add(new String[] { section.group(1), section.group(2) });
		}
		if (revisions.isEmpty()) {
			throw new IllegalArgumentException("No \"-- Running downgrade X -> Y\" section: paste the output of "
					+ "alembic downgrade <from>:<to> --sql.");
		}
		List<String> todos = new ArrayList<>();
		List<Map<String, Object>> execute = new ArrayList<>();
		for (int i = 0; i < revisions.size(); i++) {
			int end = (i + 1 < bounds.size()) ? bounds.get(i + 1)[0] : offlineSql.length();
			String sql = offlineSql.substring(bounds.get(i)[1], end);
			String from = revisions.get(i)[0];
			String to = revisions.get(i)[1];
			execute.add(DraftYaml.sqlStep("downgrade-" + DraftYaml.slug(from), "Downgrade " + from + " → " + (to.isEmpty() ? "base" : to),
					DraftYaml.withoutTransactionControl(sql), "RUN downgrade-" + DraftYaml.slug(from), todos));
		}
		String first = revisions.get(0)[0];
		String lastTo = revisions.get(revisions.size() - 1)[1];
		List<Map<String, Object>> prechecks = List.of(DraftYaml.ordered("id", "at-" + DraftYaml.slug(first), "title",
				"alembic_version is at " + first, "check", "SELECT version_num FROM alembic_version", "expect", Map.of("equals", first)));
		List<Map<String, Object>> verify = List.of(lastTo.isEmpty()
				? DraftYaml.ordered("id", "at-base", "title", "alembic_version holds no revision", "check",
						"SELECT count(*) FROM alembic_version", "expect", Map.of("equals", 0))
				: DraftYaml.ordered("id", "at-" + DraftYaml.slug(lastTo), "title", "alembic_version is back at " + lastTo, "check",
						"SELECT version_num FROM alembic_version", "expect", Map.of("equals", lastTo)));
		todos.add(0, "Add checks that prove each downgrade worked (the tables, columns or indexes it removes are gone).");
		List<String> changes = revisions.stream().map((r) -> r[0]).toList();
		return draft(id, "alembic offline downgrade SQL", "Downgrade alembic " + first + " to " + (lastTo.isEmpty() ? "base" : lastTo),
				"alembic", "alembic_version", "Runs alembic's own downgrade SQL from " + first + " to " + (lastTo.isEmpty() ? "base" : lastTo)
						+ ", one step per revision, each with its alembic_version update.",
				prechecks, execute, verify, todos, changes);
	}

	private static Draft draft(String id, String from, String title, String tool, String historyTable, String summary,
			List<Map<String, Object>> prechecks, List<Map<String, Object>> execute, List<Map<String, Object>> verify, List<String> todos,
			List<String> changes) {
		Map<String, Object> runbook = DraftYaml.revertRunbook(id, title, DraftYaml.ordered("id", changes.get(0), "tool", tool,
				"historyTable", historyTable), summary, title + "?", prechecks, execute, verify);
		todos.add(0, "Name the target alias group (target:) and the approvers this database needs.");
		return new Draft(DraftYaml.write(from, runbook, todos), List.copyOf(todos), changes);
	}

	/** Flyway's order: dot-separated numbers compared part by part (1.10 after 1.9). */
	static int compareVersions(String a, String b) {
		String[] left = a.split("\\.");
		String[] right = b.split("\\.");
		for (int i = 0; i < Math.max(left.length, right.length); i++) {
			long l = (i < left.length) ? Long.parseLong(left[i]) : 0;
			long r = (i < right.length) ? Long.parseLong(right[i]) : 0;
			if (l != r) {
				return Long.compare(l, r);
			}
		}
		return 0;
	}

	private static String names(List<String> versions) {
		return String.join(", ", versions);
	}



}
