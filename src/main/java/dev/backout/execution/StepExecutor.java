package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.backout.execution.StepJournal.Outcome;
import dev.backout.runbook.ManualInput;
import dev.backout.runbook.Step;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Runs one step against its target. The order of writes is the whole point:
 * <ol>
 * <li>take the target's execution lock (try-lock);</li>
 * <li>commit STARTED in the console's journal;</li>
 * <li>run the step on the target — for transactional steps together with a marker row in
 * {@code backout.applied_step}, in one transaction;</li>
 * <li>commit the outcome in the journal.</li>
 * </ol>
 * A crash between 3 and 4 leaves STARTED in the journal; {@link Recovery} then asks the
 * target's marker whether the step committed, so a committed step is never sent twice.
 */
@Component
class StepExecutor {

	private final Targets targets;

	private final StepJournal journal;

	StepExecutor(Targets targets, StepJournal journal) {
		this.targets = targets;
		this.journal = journal;
	}

	StepRun run(long incidentId, ExecutionPlan plan, PlannedStep step, Target target, Authentication actor,
			String confirmation, Map<String, String> inputs) {
		if (step.destructive() && (confirmation == null || !confirmation.equals(step.confirm()))) {
			throw new ExecutionRefused("Step '" + step.stepId() + "' destroys data: type \"" + step.confirm()
					+ "\" exactly to confirm it.");
		}
		if (step.kind() == Step.Kind.MANUAL) {
			return tick(incidentId, plan, step, actor, inputs);
		}
		try (TargetSession session = TargetSession.open(this.targets, target, TargetSession.applicationName(incidentId))) {
			StepRun run = this.journal.start(incidentId, plan, step, actor);
			CrashPoint.reach(CrashPoint.AFTER_STARTED_RECORDED);
			this.journal.backendPid(run.id(), session.backendPid());
			Outcome outcome = execute(session, target, incidentId, run, step);
			CrashPoint.reach(CrashPoint.BEFORE_OUTCOME_RECORDED);
			return this.journal.finish(run.id(), outcome, actor);
		}
		catch (SQLException ex) {
			throw new ExecutionRefused("Cannot open a session on target " + target.name() + ": " + ex.getMessage());
		}
	}

	private Outcome execute(TargetSession session, Target target, long incidentId, StepRun run, PlannedStep step)
			throws SQLException {
		Attempt attempt = new Attempt();
		try {
			return switch (step.kind()) {
				case CHECK -> check(session.connection(), step, attempt);
				case BACKUP -> backup(session, incidentId, run, step, attempt);
				default -> step.transactional() ? transactional(session, incidentId, run, step, attempt)
						: outsideTransaction(session.connection(), step, attempt);
			};
		}
		catch (SQLException ex) {
			try (Connection probe = this.targets.connect(target, "backout diagnosis")) {
				return Outcome.failed(ex.getSQLState(), FailureExplanation.explain(ex, step, attempt.statement, probe),
						attempt.countBefore, attempt.notices());
			}
			catch (SQLException unreachable) {
				return Outcome.failed(ex.getSQLState(), FailureExplanation.explain(ex, step, attempt.statement, null),
						attempt.countBefore, attempt.notices());
			}
		}
	}

	/** A check: one query in a READ ONLY transaction that is always rolled back. */
	private Outcome check(Connection connection, PlannedStep step, Attempt attempt) throws SQLException {
		connection.setAutoCommit(false);
		try (Statement statement = connection.createStatement()) {
			statement.execute("SET TRANSACTION READ ONLY");
			limits(statement, step, true);
			attempt.statement = step.statements().get(0);
			try (ResultSet rs = statement.executeQuery(attempt.statement)) {
				boolean hasRow = rs.next();
				Object value = hasRow ? rs.getObject(1) : null;
				String shown = hasRow ? String.valueOf(value) : "(no rows)";
				if (step.expect() == null) {
					return new Outcome(StepState.SUCCEEDED, null, null, shown, null, attempt.notices(), null, null);
				}
				boolean passed = step.expect().isMetBy(hasRow, value);
				return new Outcome(passed ? StepState.SUCCEEDED : StepState.FAILED, null, null, shown, passed,
						attempt.notices(), null,
						passed ? null : "Check failed: " + step.expect().describe() + ", found " + shown + ".");
			}
		}
		finally {
			connection.rollback();
			connection.setAutoCommit(true);
		}
	}

	/** Statements, marker row and count-before in one transaction, with timeouts set for it only. */
	private Outcome transactional(TargetSession session, long incidentId, StepRun run, PlannedStep step, Attempt attempt)
			throws SQLException {
		Connection connection = session.connection();
		connection.setAutoCommit(false);
		long rows;
		try (Statement statement = connection.createStatement()) {
			limits(statement, step, true);
			countBefore(connection, step, attempt);
			rows = send(statement, step, attempt);
			session.writeMarker(incidentId, step.stepId(), run.attempt());
		}
		catch (SQLException ex) {
			connection.rollback();
			connection.setAutoCommit(true);
			throw ex;
		}
		commit(connection);
		return new Outcome(StepState.SUCCEEDED, rows, attempt.countBefore, null, null, attempt.notices(), null, null);
	}

	/**
	 * Commits the step together with its marker. A crash before the commit leaves an open
	 * transaction that dies with the connection; after it, the marker tells recovery the truth.
	 */
	private static void commit(Connection connection) throws SQLException {
		CrashPoint.reach(CrashPoint.BEFORE_TARGET_COMMIT);
		connection.commit();
		connection.setAutoCommit(true);
		CrashPoint.reach(CrashPoint.AFTER_TARGET_COMMIT);
	}

	/** CREATE INDEX CONCURRENTLY and friends: autocommit, session-level timeouts reset afterwards, no marker possible. */
	private Outcome outsideTransaction(Connection connection, PlannedStep step, Attempt attempt) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			limits(statement, step, false);
			countBefore(connection, step, attempt);
			long rows = send(statement, step, attempt);
			statement.execute("RESET lock_timeout");
			statement.execute("RESET statement_timeout");
			return new Outcome(StepState.SUCCEEDED, rows, attempt.countBefore, null, null, attempt.notices(), null, null);
		}
	}

	/**
	 * Copies each table into {@code backout_backup.<table>__<incident>}, enum columns as text (enum
	 * arrays as text[]): a copy that kept an enum type would make the rollback's own DROP TYPE fail.
	 */
	private Outcome backup(TargetSession session, long incidentId, StepRun run, PlannedStep step, Attempt attempt)
			throws SQLException {
		Connection connection = session.connection();
		connection.setAutoCommit(false);
		long total = 0;
		try (Statement statement = connection.createStatement()) {
			limits(statement, step, true);
			statement.execute("CREATE SCHEMA IF NOT EXISTS backout_backup");
			for (String table : step.backupTables()) {
				String source = qualifiedName(connection, table);
				String copy = "backout_backup." + quote(table + "__" + incidentId);
				attempt.statement = "CREATE TABLE " + copy + " AS SELECT " + columns(connection, source) + " FROM " + source;
				statement.execute(attempt.statement);
				long rows;
				try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + copy)) {
					rs.next();
					rows = rs.getLong(1);
				}
				total += rows;
				attempt.notice(table + ": " + rows + " rows copied to " + copy);
			}
			session.writeMarker(incidentId, step.stepId(), run.attempt());
		}
		catch (SQLException ex) {
			connection.rollback();
			connection.setAutoCommit(true);
			throw ex;
		}
		commit(connection);
		return new Outcome(StepState.SUCCEEDED, total, null, null, null, attempt.notices(), null, null);
	}

	/** A checklist item: no target involved; required inputs must be filled in. */
	private StepRun tick(long incidentId, ExecutionPlan plan, PlannedStep step, Authentication actor,
			Map<String, String> inputs) {
		Map<String, String> given = (inputs != null) ? inputs : Map.of();
		for (ManualInput input : step.inputs()) {
			String value = given.get(input.name());
			if (input.mustBeFilled() && (value == null || value.isBlank())) {
				throw new ExecutionRefused("Fill in \"" + input.label() + "\" before ticking this item.");
			}
			if (value != null && !value.isBlank() && !input.options().isEmpty() && !input.options().contains(value)) {
				throw new ExecutionRefused("\"" + input.label() + "\" must be one of " + input.options() + ".");
			}
		}
		StepRun run = this.journal.start(incidentId, plan, step, actor);
		StringJoiner recorded = new StringJoiner("; ");
		step.inputs().forEach((input) -> {
			String value = given.get(input.name());
			if (value != null && !value.isBlank()) {
				recorded.add(input.label() + ": " + value.trim());
			}
		});
		return this.journal.finish(run.id(),
				new Outcome(StepState.SUCCEEDED, null, null, recorded.length() > 0 ? recorded.toString() : null, null, null,
						null, null),
				actor);
	}

	private static void limits(Statement statement, PlannedStep step, boolean local) throws SQLException {
		String scope = local ? "SET LOCAL " : "SET ";
		statement.execute(scope + "statement_timeout = " + step.timeoutMillis());
		statement.execute(scope + "lock_timeout = " + step.lockTimeoutMillis());
	}

	private static void countBefore(Connection connection, PlannedStep step, Attempt attempt) throws SQLException {
		if (step.destructive() && step.countBefore() != null) {
			attempt.statement = step.countBefore();
			try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(step.countBefore())) {
				attempt.countBefore = rs.next() ? String.valueOf(rs.getObject(1)) : "(no rows)";
			}
		}
	}

	private static long send(Statement statement, PlannedStep step, Attempt attempt) throws SQLException {
		long rows = 0;
		for (String sql : step.statements()) {
			attempt.statement = sql;
			statement.execute(sql);
			rows += Math.max(0, statement.getUpdateCount());
			for (SQLWarning warning = statement.getWarnings(); warning != null; warning = warning.getNextWarning()) {
				attempt.notice(warning.getMessage());
			}
			statement.clearWarnings();
		}
		return rows;
	}

	/** The table's name as PostgreSQL resolves and quotes it, or a plain error when it does not exist. */
	private static String qualifiedName(Connection connection, String table) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?)::text")) {
			query.setString(1, table);
			try (ResultSet rs = query.executeQuery()) {
				rs.next();
				String name = rs.getString(1);
				if (name == null) {
					throw new SQLException("table \"" + table + "\" does not exist, so it cannot be backed up", "42P01");
				}
				return name;
			}
		}
	}

	private static String columns(Connection connection, String qualifiedTable) throws SQLException {
		List<String> columns = new ArrayList<>();
		try (PreparedStatement query = connection.prepareStatement("""
				SELECT quote_ident(a.attname), t.typtype = 'e' OR (t.typtype = 'd' AND b.typtype = 'e'), e.typtype = 'e'
				FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type b ON b.oid = t.typbasetype
				LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
				WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
				""")) {
			query.setString(1, qualifiedTable);
			try (ResultSet rs = query.executeQuery()) {
				while (rs.next()) {
					String column = rs.getString(1);
					columns.add(rs.getBoolean(2) ? column + "::text AS " + column
							: rs.getBoolean(3) ? column + "::text[] AS " + column : column);
				}
			}
		}
		return String.join(", ", columns);
	}

	private static String quote(String identifier) {
		return "\"" + identifier.replace("\"", "\"\"") + "\"";
	}

	/** What an attempt gathered so far, kept for the failure report too. */
	private static final class Attempt {

		private String statement;

		private String countBefore;

		private final List<String> notices = new ArrayList<>();

		void notice(String text) {
			this.notices.add(text);
		}

		String notices() {
			return this.notices.isEmpty() ? null : String.join("\n", this.notices);
		}

	}

}
