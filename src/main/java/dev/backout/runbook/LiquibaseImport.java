package dev.backout.runbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import liquibase.change.Change;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.OfflineConnection;
import liquibase.database.core.PostgresDatabase;
import liquibase.exception.LiquibaseException;
import liquibase.exception.RollbackImpossibleException;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import liquibase.statement.SqlStatement;

/**
 * A Liquibase changelog's last N changesets as a draft runbook, with the rollback SQL Liquibase
 * itself generates for PostgreSQL: a changeset's own {@code rollback} when it has one, otherwise
 * the automatic rollback of its changes in reverse order. A changeset Liquibase cannot roll back
 * is a to-do. A last step removes the changesets' rows from DATABASECHANGELOG, as
 * {@code liquibase rollback-count} does.
 */
public final class LiquibaseImport {

	private LiquibaseImport() {
	}

	/** @param changes the changesets rolled back, newest first, as {@code id (author)} */
	public record Draft(String yaml, List<String> todos, List<String> changes) {
	}

	/**
	 * @param files the project's files by path (the changelog and what it includes)
	 * @param changelog the master changelog's path among them
	 */
	public static Draft of(String id, Map<String, String> files, String changelog, int last, String historyTable) {
		String table = (historyTable != null && !historyTable.isBlank()) ? historyTable.strip().toLowerCase(Locale.ROOT) : "databasechangelog";
		if (!table.matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?")) {
			throw new IllegalArgumentException("The changelog table must be a plain name, like databasechangelog or app.databasechangelog.");
		}
		Path folder = null;
		try {
			folder = Files.createTempDirectory("backout-liquibase-");
			for (Map.Entry<String, String> file : files.entrySet()) {
				Path path = folder.resolve(file.getKey()).normalize();
				if (!path.startsWith(folder)) {
					continue;
				}
				Files.createDirectories(path.getParent());
				Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
			}
			return draft(id, folder, changelog, last, table);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			delete(folder);
		}
	}

	private static Draft draft(String id, Path folder, String changelog, int last, String table) throws IOException {
		DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(folder);
		PostgresDatabase database = new PostgresDatabase();
		database.setConnection(new OfflineConnection("offline:postgresql", accessor));
		List<ChangeSet> changeSets;
		try {
			DatabaseChangeLog parsed = ChangeLogParserFactory.getInstance()
				.getParser(changelog, accessor)
				.parse(changelog, new ChangeLogParameters(database), accessor);
			changeSets = parsed.getChangeSets();
		}
		catch (LiquibaseException ex) {
			throw new IllegalArgumentException("Liquibase cannot read " + changelog + ": " + ex.getMessage());
		}
		if (last < 1 || last > changeSets.size()) {
			throw new IllegalArgumentException("The changelog has " + changeSets.size() + " changesets; roll back between 1 and "
					+ changeSets.size() + " of them.");
		}
		List<ChangeSet> reverted = new ArrayList<>(changeSets.subList(changeSets.size() - last, changeSets.size()));
		Collections.reverse(reverted);
		List<String> todos = new ArrayList<>();
		List<Map<String, Object>> execute = new ArrayList<>();
		for (ChangeSet changeSet : reverted) {
			String name = changeSet.getId() + " (" + changeSet.getAuthor() + ")";
			List<String> sql = new ArrayList<>();
			try {
				sql.addAll(rollbackSql(changeSet, database));
			}
			catch (RollbackImpossibleException ex) {
				todos.add("Liquibase cannot roll back changeset " + name + " by itself (" + ex.getMessage()
						+ "): write its rollback by hand.");
				continue;
			}
			if (sql.isEmpty()) {
				todos.add("Changeset " + name + " has no rollback: write it by hand, or confirm that nothing needs undoing.");
				continue;
			}
			String title = "Roll back changeset " + name
					+ ((changeSet.getComments() != null && !changeSet.getComments().isBlank()) ? ": " + changeSet.getComments().strip() : "");
			Map<String, Object> step = DraftYaml.sqlStep("rollback-" + DraftYaml.slug(changeSet.getId()), title,
					SqlScript.statements(String.join(";\n", sql) + ";"), "ROLLBACK " + changeSet.getId(), todos);
			execute.add(step);
		}
		String rows = String.join(" OR ", reverted.stream()
			.map((changeSet) -> "(id = " + DraftYaml.literal(changeSet.getId()) + " AND author = " + DraftYaml.literal(changeSet.getAuthor()) + ")")
			.toList());
		execute.add(DraftYaml.ordered("id", "databasechangelog", "title", "Remove the rolled-back changesets from " + table, "sql",
				"DELETE FROM " + table + " WHERE " + rows + ";"));
		List<Map<String, Object>> prechecks = List.of(DraftYaml.ordered("id", "changesets-applied", "title",
				"Liquibase lists the " + last + " changeset(s) as applied", "check", "SELECT count(*) FROM " + table + " WHERE " + rows,
				"expect", Map.of("equals", last)));
		List<Map<String, Object>> verify = List.of(DraftYaml.ordered("id", "changelog-updated", "title",
				table + " no longer lists them", "check", "SELECT count(*) FROM " + table + " WHERE " + rows, "expect", Map.of("equals", 0)));
		todos.add(0, "Add checks that prove each rollback worked (the tables, columns or indexes it removes are gone).");
		todos.add(0, "Name the target alias group (target:) and the approvers this database needs.");
		List<String> changes = reverted.stream().map((changeSet) -> changeSet.getId() + " (" + changeSet.getAuthor() + ")").toList();
		Map<String, Object> runbook = DraftYaml.revertRunbook(id,
				"Roll back Liquibase changesets " + String.join(", ", reverted.stream().map(ChangeSet::getId).toList()),
				DraftYaml.ordered("id", reverted.get(0).getId(), "tool", "liquibase", "historyTable", table),
				"Rolls back the last " + last + " changeset(s) of " + changelog
						+ " with the rollback SQL Liquibase generates for PostgreSQL, newest first, and removes them from " + table + ".",
				"Roll back " + String.join(", ", changes) + "?", prechecks, execute, verify);
		return new Draft(DraftYaml.write("Liquibase changelog " + changelog, runbook, todos), List.copyOf(todos), changes);
	}

	/** The changeset's own rollback, or the automatic one of its changes, newest change first. */
	private static List<String> rollbackSql(ChangeSet changeSet, PostgresDatabase database) throws RollbackImpossibleException {
		List<SqlStatement> statements = new ArrayList<>();
		List<Change> explicit = changeSet.getRollback().getChanges();
		if (!explicit.isEmpty()) {
			for (Change change : explicit) {
				statements.addAll(Arrays.asList(change.generateStatements(database)));
			}
		}
		else {
			List<Change> changes = new ArrayList<>(changeSet.getChanges());
			Collections.reverse(changes);
			for (Change change : changes) {
				statements.addAll(Arrays.asList(change.generateRollbackStatements(database)));
			}
		}
		List<String> sql = new ArrayList<>();
		for (SqlStatement statement : statements) {
			for (Sql generated : SqlGeneratorFactory.getInstance().generateSql(statement, database)) {
				sql.add(generated.toSql().strip().replaceAll(";$", ""));
			}
		}
		return sql;
	}

	private static void delete(Path folder) {
		if (folder == null) {
			return;
		}
		try (var paths = Files.walk(folder)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A temporary folder left behind holds only the uploaded changelog: the system's cleaner takes it.
		}
	}



}
