package dev.backout.execution;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.database.ConsoleQuery;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The write-ahead journal of step attempts in the console database. Every method commits on
 * its own (REQUIRES_NEW), with its audit event, so that STARTED is durable before a statement
 * is sent and an outcome is durable before the next step may start.
 */
@Component
class StepJournal {

	private static final String COLUMNS = """
			id, incident_id, target_id, step_id, phase, attempt, kind, transactional, state, started_at, ended_at,
			rows_affected, count_before, check_value, check_passed, notices, sqlstate, error, actor, resolution,
			settling_since
			""";

	private final JdbcClient jdbc;

	private final AuditTrail trail;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	StepJournal(JdbcClient jdbc, AuditTrail trail, Clock clock, ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.trail = trail;
		this.clock = clock;
		this.events = events;
	}

	/**
	 * Records a new attempt as STARTED, refusing when the step already succeeded, waits for a
	 * person (UNKNOWN), or when any step of the incident is in flight.
	 */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	StepRun start(long incidentId, ExecutionPlan plan, PlannedStep step, Authentication actor, Integer backendPid) {
		int attempt = refuseRepeat(incidentId, step);
		flushLazilyWhenRecoverable(step);
		StepRun run;
		try {
			run = insert(incidentId, plan, step, attempt, StepState.STARTED, actor, null, backendPid);
		}
		catch (DuplicateKeyException ex) {
			throw new ExecutionRefused("Another step of incident " + incidentId + " is running, or this one was just "
					+ "started from another tab or console: nothing was sent twice.");
		}
		Map<String, Object> details = new HashMap<>(Map.of("step", step.stepId(), "attempt", attempt, "planHash",
				plan.planHash(), "statements", step.statements()));
		if (step.destructive()) {
			details.put("typedConfirmation", step.confirm()); // the executor sends it only when typed exactly
		}
		this.trail.record(entry(actor, "STEP_STARTED", incidentId, details));
		return run;
	}

	/**
	 * Records, without sending anything, that the target already holds a marker of this step: an
	 * earlier attempt committed although the journal does not say so (its outcome was lost).
	 */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	StepRun alreadyApplied(long incidentId, ExecutionPlan plan, PlannedStep step, int committedAttempt,
			Authentication actor) {
		int attempt = refuseRepeat(incidentId, step);
		String resolution = "Not sent: the target already holds this step's marker (attempt " + committedAttempt
				+ "), so it committed before. A committed step is never sent twice.";
		StepRun run = insert(incidentId, plan, step, attempt, StepState.SUCCEEDED, actor, resolution, null);
		this.trail.record(entry(actor, "STEP_ALREADY_APPLIED", incidentId,
				Map.of("step", step.stepId(), "attempt", attempt, "markerAttempt", committedAttempt)));
		return run;
	}

	/** A refused request to run a step, for the trail (its own transaction: the refusal rolls nothing back). */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	void refused(long incidentId, String stepId, String reason, Authentication actor) {
		this.trail.record(entry(actor, "STEP_REFUSED", incidentId, Map.of("step", stepId, "reason", reason)));
	}

	/**
	 * Lets this transaction commit without waiting for its WAL to reach the disk when the step can
	 * be settled without the record (see {@link PlannedStep#recoverableWithoutJournal()}). Only a
	 * crash of the console's database server can lose such a commit, and any later ordinary commit
	 * (the incident's next transition, a checkpoint) makes it durable first, WAL being written in
	 * order. Saves a disk flush per record: two per step.
	 */
	private void flushLazilyWhenRecoverable(PlannedStep step) {
		if (step.recoverableWithoutJournal()) {
			this.jdbc.sql("set local synchronous_commit = off").update();
		}
	}

	/** The next attempt number, or a refusal when the step must not be sent again. */
	private int refuseRepeat(long incidentId, PlannedStep step) {
		List<StepRun> previous = attempts(incidentId, step.stepId());
		// Checks only read, so they may run again (e.g. pre-checks after a fix); nothing else may.
		boolean repeatable = step.kind() == dev.backout.runbook.Step.Kind.CHECK;
		for (StepRun run : previous) {
			switch (run.state()) {
				case SUCCEEDED, SKIPPED -> {
					if (!repeatable) {
						throw new ExecutionRefused("Step '" + step.stepId() + "' already "
						+ run.state().name().toLowerCase() + " (attempt " + run.attempt() + "); it is never sent twice.");
					}
				}
				case UNKNOWN -> throw new ExecutionRefused("Step '" + step.stepId() + "' was interrupted and its outcome is "
						+ "unknown; a person must resolve it first, helped by its verification check.");
				case STARTED -> throw new ExecutionRefused("Step '" + step.stepId() + "' is running"
						+ ((run.settlingSince() != null) ? ", or its outcome is being settled from the target's marker" : "")
						+ ": nothing was sent twice.");
				default -> {
				}
			}
		}
		return previous.size() + 1;
	}

	/**
	 * Records a ticked checklist item as done, in one transaction: nothing is sent anywhere, so
	 * there is no in-flight attempt for a STARTED row to guard (the caller holds the incident's
	 * lease, which keeps two tabs from ticking it twice).
	 */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	StepRun tick(long incidentId, ExecutionPlan plan, PlannedStep step, String inputs, Authentication actor) {
		int attempt = refuseRepeat(incidentId, step);
		StepRun run;
		try {
			run = insert(incidentId, plan, step, attempt, StepState.SUCCEEDED, actor, null, null, inputs);
		}
		catch (DuplicateKeyException ex) {
			throw new ExecutionRefused("Step '" + step.stepId() + "' was just ticked from another tab or console.");
		}
		Map<String, Object> details = new HashMap<>(Map.of("step", step.stepId(), "attempt", attempt, "planHash",
				plan.planHash()));
		putIfSet(details, "inputs", inputs);
		this.trail.record(entry(actor, "STEP_TICKED", incidentId, details));
		return run;
	}

	/**
	 * Records that the step was skipped, after a fresh approval; the step is never sent. Joins the
	 * caller's transaction: it is recorded together with the approval that allows it.
	 */
	@Transactional
	StepRun skip(long incidentId, ExecutionPlan plan, PlannedStep step, String reason, Authentication actor) {
		StepRun run = insert(incidentId, plan, step, attempts(incidentId, step.stepId()).size() + 1, StepState.SKIPPED,
				actor, reason, null);
		this.trail.record(entry(actor, "STEP_SKIPPED", incidentId, Map.of("step", step.stepId(), "reason", reason)));
		return run;
	}

	/** A new attempt row; one that is not STARTED ends as it starts. */
	private StepRun insert(long incidentId, ExecutionPlan plan, PlannedStep step, int attempt, StepState state,
			Authentication actor, String resolution, Integer backendPid) {
		return insert(incidentId, plan, step, attempt, state, actor, resolution, backendPid, null);
	}

	private StepRun insert(long incidentId, ExecutionPlan plan, PlannedStep step, int attempt, StepState state,
			Authentication actor, String resolution, Integer backendPid, String checkValue) {
		return this.jdbc.sql("""
				insert into step_run (incident_id, target_id, plan_hash, phase, step_id, attempt, kind, transactional,
				                      state, started_at, ended_at, actor, resolution, backend_pid, check_value)
				values (:incident, :target, :plan, :phase, :step, :attempt, :kind, :transactional, :state, :now,
				        case when :state <> 'STARTED' then cast(:now as timestamptz) end, :actor, :resolution, :pid,
				        :checkValue)
				returning
				""" + COLUMNS)
			.param("incident", incidentId)
			.param("target", plan.targetId())
			.param("plan", plan.planHash())
			.param("phase", step.phase().name())
			.param("step", step.stepId())
			.param("attempt", attempt)
			.param("kind", step.kind().name())
			.param("transactional", step.transactional())
			.param("state", state.name())
			.param("now", Timestamp.from(this.clock.instant()))
			.param("actor", actor.getName())
			.param("resolution", resolution)
			.param("pid", backendPid)
			.param("checkValue", checkValue)
			.query(StepJournal::map)
			.single();
	}

	/**
	 * Notes that the attempt's outcome could not be learnt yet (the connection was lost and the
	 * target is out of reach): it stays STARTED until settled from the marker.
	 */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	StepRun settling(long runId, String note) {
		boolean first = get(runId).settlingSince() == null;
		this.jdbc.sql("""
				update step_run set settling_since = coalesce(settling_since, :now), resolution = :note
				where id = :id and state = 'STARTED'
				""").param("now", Timestamp.from(this.clock.instant())).param("note", note).param("id", runId).update();
		StepRun run = get(runId);
		if (first && run.state() == StepState.STARTED) {
			this.trail.record(AuditEntry.bySystem("STEP_OUTCOME_PENDING", Map.of("step", run.stepId(), "attempt",
					run.attempt(), "note", note)).forIncident(run.incidentId()));
			this.events.publishEvent(new StepSettled(run.incidentId(), run.id(), run.stepId(), StepState.STARTED));
		}
		return run;
	}

	/**
	 * Records the outcome of an attempt that reached its end, unless settlement got there first
	 * (then the settled row stands, and is returned).
	 */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	StepRun finish(long runId, PlannedStep step, Outcome outcome, Authentication actor) {
		flushLazilyWhenRecoverable(step);
		Optional<StepRun> finished = this.jdbc.sql("""
				update step_run set state = :state, ended_at = :now, rows_affected = :rows, count_before = :countBefore,
				       check_value = :checkValue, check_passed = :checkPassed, notices = :notices, sqlstate = :sqlstate,
				       error = :error, resolution = :resolution
				where id = :id and state = 'STARTED'
				returning
				""" + COLUMNS)
			.param("state", outcome.state().name())
			.param("now", Timestamp.from(this.clock.instant()))
			.param("rows", outcome.rowsAffected())
			.param("countBefore", outcome.countBefore())
			.param("checkValue", outcome.checkValue())
			.param("checkPassed", outcome.checkPassed())
			.param("notices", outcome.notices())
			.param("sqlstate", outcome.sqlstate())
			.param("error", outcome.error())
			.param("resolution", outcome.resolution())
			.param("id", runId)
			.query(StepJournal::map)
			.optional();
		if (finished.isEmpty()) {
			return get(runId);
		}
		StepRun run = finished.get();
		Map<String, Object> details = new HashMap<>();
		details.put("step", run.stepId());
		details.put("attempt", run.attempt());
		details.put("state", run.state().name());
		putIfSet(details, "rowsAffected", outcome.rowsAffected());
		putIfSet(details, "countBefore", outcome.countBefore());
		putIfSet(details, "checkValue", outcome.checkValue());
		putIfSet(details, "checkPassed", outcome.checkPassed());
		putIfSet(details, "sqlstate", outcome.sqlstate());
		putIfSet(details, "error", outcome.error());
		putIfSet(details, "notices", outcome.notices());
		putIfSet(details, "resolution", outcome.resolution());
		this.trail.record(entry(actor, "STEP_" + run.state().name(), run.incidentId(), details));
		return run;
	}

	/** Settles an attempt found STARTED after a crash. */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	StepRun settle(long runId, StepState state, String resolution, Authentication actor) {
		int updated = this.jdbc.sql("""
				update step_run set state = :state, ended_at = coalesce(ended_at, :now), resolution = :resolution
				where id = :id and state in ('STARTED', 'UNKNOWN')
				""")
			.param("state", state.name())
			.param("now", Timestamp.from(this.clock.instant()))
			.param("resolution", resolution)
			.param("id", runId)
			.update();
		StepRun run = get(runId);
		if (updated == 1) {
			this.trail.record(entry(actor, "STEP_SETTLED", run.incidentId(), Map.of("step", run.stepId(), "attempt",
					run.attempt(), "state", state.name(), "resolution", resolution)));
			this.events.publishEvent(new StepSettled(run.incidentId(), run.id(), run.stepId(), state));
		}
		return run;
	}

	@Transactional(readOnly = true)
	StepRun get(long runId) {
		return this.jdbc.sql("select " + COLUMNS + " from step_run where id = :id").param("id", runId).query(StepJournal::map).single();
	}

	@Transactional(readOnly = true)
	List<StepRun> runs(long incidentId) {
		return this.jdbc.sql(RUNS).param("incident", incidentId).query(StepJournal::map).list();
	}

	private static final String RUNS = "select " + COLUMNS + " from step_run where incident_id = :incident order by id";

	/** {@link #runs} as a query to send with others. */
	static ConsoleQuery<List<StepRun>> runsQuery(long incidentId) {
		return ConsoleQuery.list(RUNS, Map.of("incident", incidentId), StepJournal::map);
	}

	@Transactional(readOnly = true)
	List<StepRun> attempts(long incidentId, String stepId) {
		return this.jdbc.sql("select " + COLUMNS + " from step_run where incident_id = :incident and step_id = :step order by attempt")
			.param("incident", incidentId)
			.param("step", stepId)
			.query(StepJournal::map)
			.list();
	}

	/** Attempts left STARTED, oldest first: in flight right now, or orphaned by a crash. */
	@Transactional(readOnly = true)
	List<StepRun> started() {
		return this.jdbc.sql("select " + COLUMNS + " from step_run where state = 'STARTED' order by id").query(StepJournal::map).list();
	}

	@Transactional(readOnly = true)
	Optional<StepRun> inFlight(long incidentId) {
		return this.jdbc.sql("select " + COLUMNS + " from step_run where incident_id = :incident and state = 'STARTED'")
			.param("incident", incidentId)
			.query(StepJournal::map)
			.optional();
	}

	@Transactional(readOnly = true)
	Integer backendPid(long runId) {
		return this.jdbc.sql("select backend_pid from step_run where id = :id").param("id", runId).query(Integer.class).single();
	}

	/** What an attempt ended with. */
	record Outcome(StepState state, Long rowsAffected, String countBefore, String checkValue, Boolean checkPassed,
			String notices, String sqlstate, String error, String resolution) {

		Outcome(StepState state, Long rowsAffected, String countBefore, String checkValue, Boolean checkPassed,
				String notices, String sqlstate, String error) {
			this(state, rowsAffected, countBefore, checkValue, checkPassed, notices, sqlstate, error, null);
		}

		static Outcome failed(String sqlstate, String error, String countBefore, String notices) {
			return new Outcome(StepState.FAILED, null, countBefore, null, null, notices, sqlstate, error);
		}

		/** The same outcome, learnt by settling rather than from the server's answer. */
		Outcome settledBy(String how) {
			return new Outcome(this.state, this.rowsAffected, this.countBefore, this.checkValue, this.checkPassed,
					this.notices, this.sqlstate, this.error, how);
		}

	}

	private static void putIfSet(Map<String, Object> details, String key, Object value) {
		if (value != null) {
			details.put(key, value);
		}
	}

	private static AuditEntry entry(Authentication actor, String action, long incidentId, Map<String, ?> details) {
		AuditEntry entry = (actor != null) ? AuditEntry.by(actor, action, details) : AuditEntry.bySystem(action, details);
		return entry.forIncident(incidentId);
	}

	private static java.time.Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	private static StepRun map(ResultSet rs, int row) throws SQLException {
		Timestamp ended = rs.getTimestamp("ended_at");
		return new StepRun(rs.getLong("id"), rs.getLong("incident_id"), rs.getLong("target_id"), rs.getString("step_id"),
				rs.getString("phase"), rs.getInt("attempt"), rs.getString("kind"), rs.getBoolean("transactional"),
				StepState.valueOf(rs.getString("state")), rs.getTimestamp("started_at").toInstant(),
				(ended != null) ? ended.toInstant() : null, rs.getObject("rows_affected", Long.class),
				rs.getString("count_before"), rs.getString("check_value"), rs.getObject("check_passed", Boolean.class),
				rs.getString("notices"), rs.getString("sqlstate"), rs.getString("error"), rs.getString("actor"),
				rs.getString("resolution"), instant(rs.getTimestamp("settling_since")));
	}

}
