package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.backout.runbook.PhaseName;
import dev.backout.runbook.SqlScript;
import dev.backout.runbook.Step;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.stereotype.Component;

/**
 * Runs a plan's transactional steps in order inside one target transaction that is always rolled
 * back: PostgreSQL's DDL is transactional, so the rehearsal learns what the real run would meet
 * (errors, rows, locks, notices, how long each step takes) and leaves the database as it was. It
 * holds the execution lock for its transaction, so it never overlaps a step. Nothing is journaled
 * and no marker is written: a rehearsal is never a step.
 *
 * <p>What a rolled-back transaction cannot undo is not rehearsed: steps outside a transaction are
 * listed, and a step whose SQL is transaction control is refused (the linter refuses it already).
 * Sequences a step advances stay advanced, as PostgreSQL's sequences always do.
 */
@Component
public class Rehearser {

	static final String APPLICATION_PREFIX = "backout rehearsal ";

	private final Targets targets;

	private final Clock clock;

	Rehearser(Targets targets, Clock clock) {
		this.targets = targets;
		this.clock = clock;
	}

	/**
	 * @param lockTimeout the longest any statement waits for a lock (tighter than the step's own,
	 * since a rehearsal may run on production)
	 * @throws TargetUnreachable when no session could be opened
	 * @throws TargetBusy when a step of an incident runs on the database now
	 */
	public Rehearsal rehearse(long incidentId, ExecutionPlan plan, Target on, Duration lockTimeout) {
		refuseTransactionControl(plan);
		Instant started = this.clock.instant();
		long start = System.nanoTime();
		String application = APPLICATION_PREFIX + incidentId;
		List<Rehearsal.Step> steps = new ArrayList<>();
		Connection connection;
		try {
			connection = this.targets.connect(on, application);
		}
		catch (SQLException ex) {
			throw new TargetUnreachable(on.name(), ex);
		}
		try (connection) {
			connection.setAutoCommit(false);
			try {
				holdExecutionLock(connection, on, application);
				boolean failed = false;
				for (PlannedStep step : plan.steps()) {
					if (step.phase() == PhaseName.PRECHECK) {
						continue; // they ran already, read-only, before the rehearsal
					}
					if (failed) {
						steps.add(Rehearsal.Step.skipped(step, Rehearsal.Result.NOT_REACHED));
					}
					else if (step.kind() == Step.Kind.MANUAL) {
						steps.add(Rehearsal.Step.skipped(step, Rehearsal.Result.CHECKLIST));
					}
					else if (step.kind() == Step.Kind.SQL && !step.transactional()) {
						steps.add(Rehearsal.Step.skipped(step, Rehearsal.Result.NOT_REHEARSABLE));
					}
					else {
						Rehearsal.Step done = run(connection, step.withLockTimeoutAtMost(lockTimeout.toMillis()));
						steps.add(done);
						failed = done.result() == Rehearsal.Result.FAILED;
					}
				}
			}
			finally {
				TargetSession.rollbackQuietly(connection);
			}
		}
		catch (SQLException ex) {
			throw new TargetUnreachable(on.name(), ex);
		}
		boolean passed = steps.stream().noneMatch((step) -> step.result() == Rehearsal.Result.FAILED);
		return new Rehearsal(plan.planHash(), on.id(), on.name(), started, Duration.ofNanos(System.nanoTime() - start).toMillis(),
				passed, steps);
	}

	/** The linter refuses transaction control in steps; the rehearsal checks again, since its promise rests on it. */
	private static void refuseTransactionControl(ExecutionPlan plan) {
		for (PlannedStep step : plan.steps()) {
			for (String sql : step.statements()) {
				if (SqlScript.statements(sql).stream().anyMatch((statement) -> statement.isTransactionControl())) {
					throw new ExecutionRefused("\"" + step.title() + "\" controls its own transaction: it cannot be rehearsed.");
				}
			}
		}
	}

	private static void holdExecutionLock(Connection connection, Target on, String application) throws SQLException {
		try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
			lock.setInt(1, TargetSession.LOCK_CLASS);
			lock.setInt(2, TargetSession.LOCK_OBJECT);
			try (ResultSet rs = lock.executeQuery()) {
				rs.next();
				if (!rs.getBoolean(1)) {
					throw new TargetBusy(on.name(), TargetSession.holder(connection).orElse(null), application);
				}
			}
		}
	}

	private static Rehearsal.Step run(Connection connection, PlannedStep step) throws SQLException {
		Set<String> locksBefore = locks(connection);
		long start = System.nanoTime();
		long rows = 0;
		String value = null;
		List<String> notices = new ArrayList<>();
		String sending = null;
		try (Statement statement = OneCommand.statement(connection)) {
			statement.execute("SAVEPOINT backout_rehearsal_step");
			statement.execute("SET LOCAL statement_timeout = " + step.timeoutMillis());
			statement.execute("SET LOCAL lock_timeout = " + step.lockTimeoutMillis());
			try {
				switch (step.kind()) {
					case CHECK -> {
						CheckRun.Result result = CheckRun.run(statement, step.statements(), step.expect(), (sql) -> { });
						statement.execute("ROLLBACK TO SAVEPOINT backout_rehearsal_step"); // a check that raised, as expected
						return finished(step, locksBefore, connection, start,
								Boolean.FALSE.equals(result.passed()) ? Rehearsal.Result.FAILED : Rehearsal.Result.PASSED, null,
								result.shown(), notices, result.failure());
					}
					case BACKUP -> value = backupSize(connection, step);
					default -> {
						if (step.destructive() && step.countBefore() != null) {
							try (ResultSet rs = statement.executeQuery(OneCommand.checked(step.countBefore()))) {
								value = "rows at stake: " + (rs.next() ? rs.getObject(1) : "(no rows)");
							}
						}
						for (String sql : step.statements()) {
							sending = sql;
							statement.execute(OneCommand.checked(sql));
							rows += Math.max(0, statement.getUpdateCount());
							for (SQLWarning warning = statement.getWarnings(); warning != null; warning = warning.getNextWarning()) {
								notices.add(warning.getMessage());
							}
							statement.clearWarnings();
						}
					}
				}
			}
			catch (SQLException ex) {
				if (TargetSession.lost(ex, connection)) {
					throw ex;
				}
				statement.execute("ROLLBACK TO SAVEPOINT backout_rehearsal_step");
				return finished(step, locksBefore, connection, start, Rehearsal.Result.FAILED, null, value, notices,
						FailureExplanation.explain(ex, step, sending, null));
			}
		}
		return finished(step, locksBefore, connection, start, Rehearsal.Result.PASSED, (step.kind() == Step.Kind.SQL) ? rows : null,
				value, notices, null);
	}

	private static Rehearsal.Step finished(PlannedStep step, Set<String> locksBefore, Connection connection, long start,
			Rehearsal.Result result, Long rows, String value, List<String> notices, String error) throws SQLException {
		long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
		Set<String> taken = locks(connection);
		taken.removeAll(locksBefore);
		return new Rehearsal.Step(step.phase().name(), step.stepId(), step.title(), result, millis, rows, List.copyOf(taken), value,
				notices.isEmpty() ? null : String.join("\n", notices), error);
	}

	/** What a backup step would copy: each table resolved as the step would resolve it, and its rows. */
	private static String backupSize(Connection connection, PlannedStep step) throws SQLException {
		List<String> sizes = new ArrayList<>();
		for (String table : step.backupTables()) {
			String name = StepExecutor.qualifiedName(connection, table); // as the backup resolves it, or its plain error
			try (Statement count = connection.createStatement(); ResultSet rows = count.executeQuery("SELECT count(*) FROM " + name)) {
				rows.next();
				sizes.add(table + ": " + rows.getLong(1) + " rows to copy");
			}
		}
		return String.join("; ", sizes);
	}

	/** The relation locks this session holds, outside the catalog, as "mode on relation". */
	private static Set<String> locks(Connection connection) throws SQLException {
		Set<String> locks = new LinkedHashSet<>();
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("""
				SELECT l.mode || ' on ' || c.relname
				FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE l.pid = pg_backend_pid() AND l.granted AND n.nspname NOT IN ('pg_catalog', 'information_schema')
				  AND n.nspname NOT LIKE 'pg_toast%'
				ORDER BY 1""")) {
			while (rs.next()) {
				locks.add(rs.getString(1));
			}
		}
		return locks;
	}

}
