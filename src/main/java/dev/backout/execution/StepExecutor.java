package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

import dev.backout.execution.StepJournal.Outcome;
import dev.backout.runbook.ManualInput;
import dev.backout.runbook.Step;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.dao.DataAccessException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Runs one step against its target. The order of writes is the whole point:
 * <ol>
 * <li>take the target's execution lock (try-lock) and the incident's executor lease;</li>
 * <li>look for the step's marker on the target: a committed step is recorded, never resent;</li>
 * <li>commit STARTED in the console's journal;</li>
 * <li>run the step on the target — for transactional steps together with a marker row in
 * {@code backout.applied_step}, in one transaction;</li>
 * <li>commit the outcome in the journal.</li>
 * </ol>
 * An error counts as "not applied" only when it is proven: the server reported it before COMMIT,
 * or, after a lost connection, the old backend is gone and its marker is absent. Anything else
 * stays STARTED, "being settled", until {@link Recovery} can ask the marker.
 */
@Component
class StepExecutor {

	private static final Logger log = LoggerFactory.getLogger(StepExecutor.class);

	/** How long a step waits for its incident's lease, which a settlement pass may hold for a moment. */
	static final Duration LEASE_PATIENCE = Duration.ofMillis(500);

	private final Targets targets;

	private final StepJournal journal;

	private final ExecutorLeases leases;

	/** Sessions of steps running in this console, so a cancel can drop one the target no longer answers on. */
	private final Map<Long, TargetSession> running = new ConcurrentHashMap<>();

	private final StepWaits waits;

	private final StepMetrics metrics;

	private final TargetConnections connections;

	StepExecutor(Targets targets, StepJournal journal, ExecutorLeases leases, StepWaits waits, StepMetrics metrics,
			TargetConnections connections) {
		this.connections = connections;
		this.waits = waits;
		this.metrics = metrics;
		this.targets = targets;
		this.journal = journal;
		this.leases = leases;
	}

	StepRun run(long incidentId, ExecutionPlan plan, PlannedStep step, Target target, Authentication actor,
			String confirmation, Map<String, String> inputs, Admission admission) {
		// Every log line about this step names it (structured logs carry these as fields).
		try (MDC.MDCCloseable incident = MDC.putCloseable("incident", String.valueOf(incidentId));
				MDC.MDCCloseable stepId = MDC.putCloseable("step", step.stepId());
				MDC.MDCCloseable targetName = MDC.putCloseable("target", target.name())) {
			StepRun run = attempt(incidentId, plan, step, target, actor, confirmation, inputs, admission);
			log.info("Incident {} step {} on target {}: {}{}", incidentId, step.stepId(), target.name(),
					run.state().name().toLowerCase(), (run.duration() != null) ? " in " + run.duration().toMillis() + " ms" : "");
			this.metrics.record(step, run);
			return run;
		}
	}

	private StepRun attempt(long incidentId, ExecutionPlan plan, PlannedStep step, Target target, Authentication actor,
			String confirmation, Map<String, String> inputs, Admission admission) {
		if (step.destructive() && (confirmation == null || !confirmation.equals(step.confirm()))) {
			throw new ExecutionRefused("Step '" + step.stepId() + "' destroys data: type \"" + step.confirm()
					+ "\" exactly to confirm it.");
		}
		if (step.kind() == Step.Kind.MANUAL) {
			try (ExecutorLeases.Lease lease = lease(incidentId)) {
				admission.admit(null);
				return tick(incidentId, plan, step, actor, inputs);
			}
		}
		TargetSession session;
		try {
			session = TargetSession.open(this.connections, target, TargetSession.applicationName(incidentId));
		}
		catch (SQLException ex) {
			throw new TargetUnreachable(target.name(), ex);
		}
		// Lease before admission: the incident changes state only when the step can really be sent.
		try (session; ExecutorLeases.Lease lease = lease(incidentId)) {
			admission.admit(session.databaseKey());
			if (step.transactional() || step.kind() == Step.Kind.BACKUP) {
				Optional<Integer> committed = committedAttempt(session, target, incidentId, step);
				if (committed.isPresent()) {
					return this.journal.alreadyApplied(incidentId, plan, step, committed.get(), actor);
				}
			}
			StepRun run = this.journal.start(incidentId, plan, step, actor, session.backendPid());
			CrashPoint.reach(CrashPoint.AFTER_STARTED_RECORDED);
			Outcome outcome = send(session, target, incidentId, run, step);
			if (outcome == null) {
				return this.journal.settling(run.id(), "The connection to the target was lost and the target cannot "
						+ "be asked yet what the step did. The console settles it as soon as the target answers; nothing "
						+ "is sent again before that.");
			}
			CrashPoint.reach(CrashPoint.BEFORE_OUTCOME_RECORDED);
			try {
				return this.journal.finish(run.id(), step, outcome, actor);
			}
			catch (DataAccessException ex) {
				throw new OutcomeNotRecorded(step, outcome.state(), ex);
			}
		}
	}

	private ExecutorLeases.Lease lease(long incidentId) {
		return this.leases.take(incidentId, LEASE_PATIENCE)
			.orElseThrow(() -> new ExecutionRefused("A step of incident " + incidentId + " is running in another tab "
					+ "or console, or is being settled: nothing was sent twice. Try again in a moment."));
	}

	private static Optional<Integer> committedAttempt(TargetSession session, Target target, long incidentId,
			PlannedStep step) {
		try {
			return session.committedAttempt(incidentId, step.stepId());
		}
		catch (SQLException ex) {
			throw new ExecutionRefused("Cannot read the step's marker on target " + target.name() + ", so nothing was sent: "
					+ FailureExplanation.firstLine(ex.getMessage()) + " (SQLSTATE " + ex.getSQLState() + ").");
		}
	}

	/** Drops this console's connection of the incident's running step, if it runs here. */
	boolean drop(long incidentId) {
		TargetSession session = this.running.get(incidentId);
		if (session == null) {
			return false;
		}
		session.abort();
		return true;
	}

	/** The step's outcome, or null when it cannot be known yet. */
	private Outcome send(TargetSession session, Target target, long incidentId, StepRun run, PlannedStep step) {
		Attempt attempt = new Attempt();
		this.running.put(incidentId, session);
		try (StepWaits.Watch watch = this.waits.watch(incidentId, target, session.backendPid())) {
			session.limitWaitingTo(step.timeoutMillis());
			return switch (step.kind()) {
				case CHECK -> check(target, incidentId, step, attempt);
				case BACKUP -> backup(session, incidentId, run, step, attempt);
				default -> step.transactional() ? transactional(session, incidentId, run, step, attempt)
						: outsideTransaction(session.connection(), step, attempt);
			};
		}
		catch (SQLException ex) {
			if (!TargetSession.lost(ex, session.connection())) {
				return refused(ex, target, step, attempt);
			}
			return settleLost(session, target, incidentId, run, step, attempt, ex);
		}
		finally {
			this.running.remove(incidentId);
			session.limitWaitingToDefault();
		}
	}

	/** The server reported the error before COMMIT and the transaction was rolled back: proven not applied. */
	private Outcome refused(SQLException ex, Target target, PlannedStep step, Attempt attempt) {
		String explanation;
		try (Connection probe = this.targets.connect(target, "backout diagnosis")) {
			explanation = FailureExplanation.explain(ex, step, attempt.statement, probe);
		}
		catch (SQLException unreachable) {
			explanation = FailureExplanation.explain(ex, step, attempt.statement, null);
		}
		if (!step.transactional() && step.kind() == Step.Kind.SQL && attempt.applied > 0) {
			// Statements before the failing one stayed applied: a retry would send them again.
			return new Outcome(StepState.UNKNOWN, attempt.rows, attempt.countBefore, null, null, attempt.notices(),
					ex.getSQLState(), explanation + " " + attempt.applied + " of " + step.statements().size()
							+ " statements were applied before it: a person must settle the step before anything is resent.");
		}
		return Outcome.failed(ex.getSQLState(), explanation, attempt.countBefore, attempt.notices());
	}

	/**
	 * The connection broke while the step ran or committed. Only a fresh connection, after the old
	 * backend is gone, can tell ({@link Verdict}). Null when the target cannot be asked now.
	 */
	private Outcome settleLost(TargetSession session, Target target, long incidentId, StepRun run, PlannedStep step,
			Attempt attempt, SQLException ex) {
		session.abort();
		String lost = FailureExplanation.lost(ex);
		boolean committed = false;
		if (Verdict.needsTarget(step.kind().name())) {
			try (Connection fresh = this.targets.connect(target, "backout settlement")) {
				if (!TargetSession.endBackends(fresh, incidentId)) {
					return null;
				}
				committed = TargetSession.committed(fresh, incidentId, step.stepId(), run.attempt());
			}
			catch (SQLException unreachable) {
				return null;
			}
		}
		Verdict verdict = Verdict.of(step.kind().name(), step.transactional(), committed);
		String text = lost + " " + verdict.reason();
		return (verdict.state() == StepState.SUCCEEDED)
				? new Outcome(StepState.SUCCEEDED, attempt.rows, attempt.countBefore, null, null, attempt.notices(), null,
						null).settledBy(text)
				: new Outcome(verdict.state(), null, attempt.countBefore, null, null, attempt.notices(), ex.getSQLState(), text);
	}

	/**
	 * A check: one query in a READ ONLY transaction that is always rolled back, on a connection of
	 * its own as the target's checks credential (never a superuser unless an admin allowed it).
	 */
	private Outcome check(Target target, long incidentId, PlannedStep step, Attempt attempt) throws SQLException {
		Connection kept = this.connections.kept(target, TargetConnections.Purpose.CHECKS);
		if (kept != null) {
			try {
				return checkOn(kept, target, step, attempt);
			}
			catch (SQLException ex) {
				if (!TargetSession.lost(ex, kept)) {
					throw ex;
				}
				// The kept connection broke while idle: a check only reads, so it runs again on a new one.
			}
		}
		return checkOn(this.connections.open(target, TargetConnections.Purpose.CHECKS), target, step, attempt);
	}

	/** Runs the check on {@code connection}, then keeps the connection if it ended cleanly, else closes it. */
	private Outcome checkOn(Connection connection, Target target, PlannedStep step, Attempt attempt) throws SQLException {
		boolean kept = false;
		try {
			Outcome outcome = check(connection, step, attempt);
			kept = this.connections.giveBack(target, TargetConnections.Purpose.CHECKS, connection);
			return outcome;
		}
		finally {
			if (!kept) {
				TargetConnections.close(connection);
			}
		}
	}

	private Outcome check(Connection connection, PlannedStep step, Attempt attempt) throws SQLException {
		connection.setAutoCommit(false);
		try (Statement statement = OneCommand.statement(connection)) {
			statement.execute("SET TRANSACTION READ ONLY");
			limits(statement, step, true);
			CheckRun.Result result = CheckRun.run(statement, step.statements(), step.expect(), (sql) -> attempt.statement = sql);
			boolean failed = Boolean.FALSE.equals(result.passed());
			return new Outcome(failed ? StepState.FAILED : StepState.SUCCEEDED, null, null, result.shown(), result.passed(),
					attempt.notices(), null, result.failure());
		}
		finally {
			TargetSession.rollbackQuietly(connection);
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
			if (!TargetSession.lost(ex, connection)) {
				TargetSession.rollbackQuietly(connection);
			}
			throw ex;
		}
		commit(connection);
		return new Outcome(StepState.SUCCEEDED, rows, attempt.countBefore, null, null, attempt.notices(), null, null);
	}

	/**
	 * Commits the step together with its marker. A crash before the commit leaves an open
	 * transaction that dies with the connection; after it, the marker tells recovery the truth.
	 * An error the server reports for the COMMIT itself (a deferred constraint) rolled it back;
	 * a lost answer proves nothing and is settled from the marker.
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
				attempt.rows = total;
				attempt.notice(table + ": " + rows + " rows copied to " + copy);
			}
			session.writeMarker(incidentId, step.stepId(), run.attempt());
		}
		catch (SQLException ex) {
			if (!TargetSession.lost(ex, connection)) {
				TargetSession.rollbackQuietly(connection);
			}
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
		StringJoiner recorded = new StringJoiner("; ");
		step.inputs().forEach((input) -> {
			String value = given.get(input.name());
			if (value != null && !value.isBlank()) {
				recorded.add(input.label() + ": " + value.trim());
			}
		});
		return this.journal.tick(incidentId, plan, step, (recorded.length() > 0) ? recorded.toString() : null, actor);
	}

	/** Both timeouts in one round trip; {@code local} ends them with the transaction. */
	private static void limits(Statement statement, PlannedStep step, boolean local) throws SQLException {
		statement.execute("SELECT set_config('statement_timeout', '" + step.timeoutMillis() + "', " + local
				+ "), set_config('lock_timeout', '" + step.lockTimeoutMillis() + "', " + local + ")");
	}

	private static void countBefore(Connection connection, PlannedStep step, Attempt attempt) throws SQLException {
		if (step.destructive() && step.countBefore() != null) {
			attempt.statement = step.countBefore();
			try (Statement statement = OneCommand.statement(connection);
					ResultSet rs = statement.executeQuery(OneCommand.checked(step.countBefore()))) {
				attempt.countBefore = rs.next() ? String.valueOf(rs.getObject(1)) : "(no rows)";
			}
		}
	}

	private static long send(Statement statement, PlannedStep step, Attempt attempt) throws SQLException {
		long rows = 0;
		statement.setEscapeProcessing(false);
		for (String sql : step.statements()) {
			attempt.statement = sql;
			statement.execute(OneCommand.checked(sql));
			rows += Math.max(0, statement.getUpdateCount());
			attempt.rows = rows;
			attempt.applied++;
			for (SQLWarning warning = statement.getWarnings(); warning != null; warning = warning.getNextWarning()) {
				attempt.notice(warning.getMessage());
			}
			statement.clearWarnings();
		}
		return rows;
	}

	/** The table's name as PostgreSQL resolves and quotes it, or a plain error when it does not exist. */
	static String qualifiedName(Connection connection, String table) throws SQLException {
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

		private Long rows;

		/** Statements the server completed (they stay applied outside a transaction). */
		private int applied;

		private final List<String> notices = new ArrayList<>();

		void notice(String text) {
			this.notices.add(text);
		}

		String notices() {
			return this.notices.isEmpty() ? null : String.join("\n", this.notices);
		}

	}

}
