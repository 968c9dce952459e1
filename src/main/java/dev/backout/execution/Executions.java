package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.database.ConsoleQuery;
import dev.backout.runbook.Outcome;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.Step;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;

/**
 * The execution API the incident workflow uses: prepare a plan (with the hash approvers
 * approve), run checks, run the next step or the rest of a phase, cancel, recover, resolve.
 * It enforces how steps run — in order, exactly once, one execution per target — but not who
 * may run them: the incident's approval gate decides that before calling in.
 */
@Service
public class Executions {

	private static final Logger log = LoggerFactory.getLogger(Executions.class);

	private final StepExecutor executor;

	private final StepJournal journal;

	private final Recovery recovery;

	private final Targets targets;

	private final SchemaSnapshots snapshots;

	private final AuditTrail trail;

	/** How long a cancel waits for the statement to end before dropping a connection the target no longer answers on. */
	static final java.time.Duration CANCEL_GRACE = java.time.Duration.ofSeconds(2);

	private final ExecutorLeases leases;

	private final StepWaits waits;

	private final PreparedPlans plans = new PreparedPlans();

	Executions(StepExecutor executor, StepJournal journal, Recovery recovery, Targets targets, SchemaSnapshots snapshots,
			AuditTrail trail, ExecutorLeases leases, StepWaits waits) {
		this.leases = leases;
		this.waits = waits;
		this.executor = executor;
		this.journal = journal;
		this.recovery = recovery;
		this.targets = targets;
		this.snapshots = snapshots;
		this.trail = trail;
	}

	/**
	 * Settles what a previous console left in flight, once the console is ready: targets (the demo
	 * target's port among them) are registered and the incident workflow listens for settlements.
	 */
	@EventListener(ApplicationReadyEvent.class)
	public void settleAtStartUp() {
		try {
			Recovery.Report report = this.recovery.recover(null);
			if (!report.settled().isEmpty()) {
				log.warn("Settled {} interrupted step attempts at start-up", report.settled().size());
			}
			report.left().forEach((why) -> log.warn("Left unsettled for now: {}", why));
		}
		catch (RuntimeException ex) {
			log.warn("Could not settle interrupted step attempts at start-up: {}", ex.getMessage());
		}
	}

	public ExecutionPlan prepare(Runbook runbook, String runbookHash, Outcome outcome, List<String> partialSteps,
			Target target) {
		return this.plans.prepare(runbook, runbookHash, outcome, partialSteps, target);
	}

	/** Runs every check of {@code phase} (read-only), whatever their results: pre-checks are evidence. */
	public List<StepRun> runChecks(long incidentId, ExecutionPlan plan, PhaseName phase, Authentication actor) {
		List<StepRun> runs = new ArrayList<>();
		for (PlannedStep step : plan.steps()) {
			if (step.phase() == phase && step.kind() == Step.Kind.CHECK) {
				runs.add(this.executor.run(incidentId, plan, step, target(plan), actor, null, Map.of(), Admission.NONE));
			}
		}
		return runs;
	}

	/**
	 * Runs one named step. The caller names the step it means (what the person saw), so a double
	 * click or a second tab cannot run the step after it.
	 */
	public StepRun runStep(long incidentId, ExecutionPlan plan, String stepId, Authentication actor, String confirmation,
			Map<String, String> inputs, Admission admission) {
		try {
			PlannedStep step = plan.step(stepId)
				.orElseThrow(() -> new ExecutionRefused("Step '" + stepId + "' is not part of this incident's plan."));
			Map<String, StepState> latest = settledLatestStates(incidentId, actor);
			Optional<PlannedStep> next = next(plan, latest);
			if (next.isEmpty()) {
				throw new ExecutionRefused("Every step of this plan has run.");
			}
			if (!next.get().stepId().equals(stepId) && !(step.kind() == Step.Kind.CHECK && done(latest.get(stepId)))) {
				throw new ExecutionRefused("Step '" + stepId + "' is not next: '" + next.get().stepId() + "' ("
						+ next.get().title() + ") comes first.");
			}
			return this.executor.run(incidentId, plan, step, target(plan), actor, confirmation, inputs, admission);
		}
		catch (ExecutionRefused refused) {
			recordRefusal(incidentId, stepId, refused, actor);
			throw refused;
		}
	}

	/** A refused run request leaves its trace; a console database that fails here must not hide the refusal. */
	private void recordRefusal(long incidentId, String stepId, ExecutionRefused refused, Authentication actor) {
		if (refused instanceof OutcomeNotRecorded || refused instanceof ConsoleDatabaseUnavailable) {
			return;
		}
		try {
			this.journal.refused(incidentId, stepId, refused.getMessage(), actor);
		}
		catch (RuntimeException ex) {
			log.warn("Could not record a refused run of incident {} step {}: {}", incidentId, stepId, ex.getMessage());
		}
	}

	/**
	 * Settles the incident's attempt left STARTED by a lost connection or a dead console, if no live
	 * console runs it: on every view and action of the incident, so nobody waits for the periodic pass.
	 */
	public void settle(long incidentId, Authentication actor) {
		this.recovery.recover(incidentId, actor);
	}

	/**
	 * For views: settles what {@code journal} shows in flight, without failing the view; a journal
	 * with nothing in flight costs nothing.
	 * @return whether something was settled, so the view reads the journal again
	 */
	public boolean settleSeen(long incidentId, List<StepRun> journal) {
		if (journal.stream().noneMatch((run) -> run.state() == StepState.STARTED)) {
			return false;
		}
		try {
			// Settled here, or by a settlement pass whose lease this view waited out.
			return !this.recovery.recover(incidentId, null).settled().isEmpty() || this.journal.inFlight(incidentId).isEmpty();
		}
		catch (RuntimeException ex) {
			log.info("Could not settle incident {} for a view: {}", incidentId, ex.getMessage());
			return false;
		}
	}

	/**
	 * Runs the following steps of the current phase until one fails, needs a typed confirmation
	 * or a person (checklist items), or the phase ends.
	 */
	public List<StepRun> runRestOfPhase(long incidentId, ExecutionPlan plan, Authentication actor, Admission admission) {
		List<StepRun> runs = new ArrayList<>();
		settle(incidentId, actor);
		Optional<PlannedStep> next = next(incidentId, plan);
		PhaseName phase = next.map(PlannedStep::phase).orElse(null);
		while (next.isPresent() && next.get().phase() == phase && !next.get().destructive()
				&& next.get().kind() != Step.Kind.MANUAL) {
			StepRun run;
			try {
				run = this.executor.run(incidentId, plan, next.get(), target(plan), actor, null, Map.of(), admission);
			}
			catch (ExecutionRefused refused) {
				recordRefusal(incidentId, next.get().stepId(), refused, actor);
				throw refused;
			}
			runs.add(run);
			if (run.state() != StepState.SUCCEEDED) {
				break;
			}
			next = next(incidentId, plan);
		}
		return runs;
	}

	/** The first step of the plan whose latest attempt did not succeed and was not skipped. */
	public Optional<PlannedStep> next(long incidentId, ExecutionPlan plan) {
		return next(plan, latestStates(incidentId));
	}

	/** The step to act on, from a journal already read. */
	public static Optional<PlannedStep> next(ExecutionPlan plan, List<StepRun> journal) {
		Map<String, StepState> latest = new java.util.HashMap<>();
		journal.forEach((run) -> latest.put(run.stepId(), run.state()));
		return next(plan, latest);
	}

	private static Optional<PlannedStep> next(ExecutionPlan plan, Map<String, StepState> latest) {
		return plan.steps().stream().filter((step) -> !done(latest.get(step.stepId()))).findFirst();
	}

	/**
	 * Each step's latest state, after settling an attempt left in flight: one read of the journal
	 * when nothing is in flight, which is nearly always.
	 */
	private Map<String, StepState> settledLatestStates(long incidentId, Authentication actor) {
		List<StepRun> runs = this.journal.runs(incidentId);
		if (runs.stream().anyMatch((run) -> run.state() == StepState.STARTED)
				&& !this.recovery.recover(incidentId, actor).settled().isEmpty()) {
			runs = this.journal.runs(incidentId);
		}
		return latestStates(runs);
	}

	/** Each step's latest state, from one read of the journal. */
	private Map<String, StepState> latestStates(long incidentId) {
		return latestStates(this.journal.runs(incidentId));
	}

	private static Map<String, StepState> latestStates(List<StepRun> runs) {
		Map<String, StepState> latest = new java.util.HashMap<>();
		runs.forEach((run) -> latest.put(run.stepId(), run.state()));
		return latest;
	}

	/**
	 * Asks PostgreSQL to cancel the statement of the incident's running step (pg_cancel_backend
	 * from a second, bounded connection). If the step is still waiting for an answer after
	 * {@link #CANCEL_GRACE} (the target no longer answers on that connection) and it runs in this
	 * console, its connection is dropped; the outcome is then settled from the marker.
	 * @return what happened, in words for the person
	 */
	public String cancel(long incidentId, Authentication actor) {
		StepRun inFlight = this.journal.inFlight(incidentId)
			.orElseThrow(() -> new ExecutionRefused("No step of incident " + incidentId + " is running."));
		if (inFlight.beingSettled()) {
			throw new ExecutionRefused("\"" + inFlight.stepId() + "\" is not running: its connection was lost and its "
					+ "outcome is being settled. There is nothing to cancel.");
		}
		Integer pid = this.journal.backendPid(inFlight.id());
		Target target = this.targets.get(inFlight.targetId());
		String result;
		boolean signalled = false;
		try (Connection connection = this.targets.connect(target, "backout cancel");
				PreparedStatement cancel = connection.prepareStatement(
						"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = ? AND application_name = ?")) {
			cancel.setObject(1, pid);
			cancel.setString(2, TargetSession.applicationName(incidentId));
			try (ResultSet rs = cancel.executeQuery()) {
				signalled = rs.next() && rs.getBoolean(1);
			}
			result = signalled ? "Cancellation sent to PostgreSQL (backend " + pid + ")."
					: "The step's statement is no longer running on the target.";
		}
		catch (SQLException ex) {
			result = "Target " + target.name() + " did not answer the cancel request ("
					+ FailureExplanation.firstLine(ex.getMessage()) + ").";
		}
		if (!finishes(inFlight.id(), CANCEL_GRACE) && this.executor.drop(incidentId)) {
			result += " The step still had no answer, so the console dropped its connection: the outcome is settled "
					+ "as soon as the target answers.";
		}
		this.trail.record(AuditEntry.by(actor, "STEP_CANCEL_REQUESTED",
				Map.of("runId", inFlight.id(), "step", inFlight.stepId(), "signalled", signalled, "result", result))
			.forIncident(incidentId));
		return result;
	}

	/** Whether the attempt left STARTED within {@code wait}. */
	private boolean finishes(long runId, java.time.Duration wait) {
		long deadline = System.nanoTime() + wait.toNanos();
		while (System.nanoTime() < deadline) {
			StepRun run = this.journal.get(runId);
			if (run.state() != StepState.STARTED || run.beingSettled()) {
				return true;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return false;
	}

	/** Settles what lost connections and dead consoles left in flight (also done at start-up and periodically). */
	public Recovery.Report recover(Authentication actor) {
		return this.recovery.recover(actor);
	}

	/**
	 * A person settles an attempt the console cannot settle by itself: an UNKNOWN one (it ran
	 * outside a transaction), or one whose target could not be asked for its marker. The marker,
	 * when the target answers, still wins: it is asked first.
	 */
	public StepRun resolve(long incidentId, long runId, boolean applied, String reason, Authentication actor) {
		if (reason == null || reason.isBlank()) {
			throw new ExecutionRefused("Say how you know: the reason is part of the trail.");
		}
		settle(incidentId, actor);
		// Under the lease, so the marker's verdict and the person's cannot cross.
		ExecutorLeases.Lease lease = this.leases.take(incidentId)
			.orElseThrow(() -> new ExecutionRefused("A console is running or settling this incident's step right now; "
					+ "look again in a moment."));
		try (lease) {
			StepRun run = this.journal.get(runId);
			if (run.incidentId() != incidentId) {
				throw new ExecutionRefused("Attempt " + runId + " belongs to another incident.");
			}
			if (run.state() != StepState.UNKNOWN && !run.beingSettled()) {
				throw new ExecutionRefused("\"" + run.stepId() + "\" is " + run.state().name().toLowerCase()
						+ "; only an attempt whose outcome is unknown is settled by hand.");
			}
			return this.journal.settle(runId, applied ? StepState.SUCCEEDED : StepState.FAILED,
					"Settled by " + actor.getName() + " as " + (applied ? "applied" : "not applied") + ": " + reason.trim(),
					actor);
		}
	}

	/**
	 * What one verification check shows right now, read-only, as evidence for settling a step by hand.
	 * Serializable: it is shown once through a flash attribute, and sessions live in the database.
	 */
	public record Evidence(String stepId, String title, String expected, String value, Boolean passed) implements java.io.Serializable {
	}

	/**
	 * Runs the plan's verification checks in one READ ONLY transaction that is rolled back, records
	 * what they show in the trail, and journals nothing: they help a person settle an UNKNOWN step.
	 */
	public List<Evidence> evidence(long incidentId, ExecutionPlan plan, Authentication actor) {
		List<Evidence> found = new ArrayList<>();
		Target target = target(plan);
		try (Connection connection = this.targets.connectForChecks(target, "backout evidence " + incidentId)) {
			connection.setAutoCommit(false);
			try (java.sql.Statement statement = OneCommand.statement(connection)) {
				statement.execute("SET TRANSACTION READ ONLY");
				for (PlannedStep step : plan.steps()) {
					if (step.phase() != PhaseName.VERIFY || step.kind() != Step.Kind.CHECK) {
						continue;
					}
					String expected = (step.expect() != null) ? step.expect().describe() : "recorded";
					statement.execute("SAVEPOINT evidence");
					try {
						CheckRun.Result result = CheckRun.run(statement, step.statements(), step.expect(), (sql) -> {
						});
						if (step.expect() != null && step.expect().aboutErrors()) {
							statement.execute("ROLLBACK TO SAVEPOINT evidence");
						}
						found.add(new Evidence(step.stepId(), step.title(), expected, result.shown(), result.passed()));
					}
					catch (SQLException ex) {
						statement.execute("ROLLBACK TO SAVEPOINT evidence");
						found.add(new Evidence(step.stepId(), step.title(), expected,
								"error: " + FailureExplanation.firstLine(ex.getMessage()), false));
					}
				}
			}
			finally {
				TargetSession.rollbackQuietly(connection);
			}
		}
		catch (SQLException ex) {
			throw new TargetUnreachable(target.name(), ex);
		}
		this.trail.record(AuditEntry.by(actor, "VERIFICATION_EVIDENCE", Map.of("checks", found.stream()
			.map((e) -> e.stepId() + " = " + e.value() + " (expected " + e.expected() + ")")
			.toList())).forIncident(incidentId));
		return found;
	}

	/** Marks a failed step SKIPPED (the incident's approval gate has approved the skip). */
	public StepRun skip(long incidentId, ExecutionPlan plan, String stepId, String reason, Authentication actor) {
		PlannedStep step = plan.step(stepId)
			.orElseThrow(() -> new ExecutionRefused("Step '" + stepId + "' is not part of this incident's plan."));
		return this.journal.skip(incidentId, plan, step, reason, actor);
	}

	/**
	 * The rows at stake of each destructive step, read now in a READ ONLY transaction, for
	 * approvers and for the confirmation dialog; nothing is journaled.
	 */
	public Map<String, String> rowsAtStake(ExecutionPlan plan) {
		return rowsAtStake(plan, target(plan));
	}

	/** The same, on the plan's target as already read. */
	public Map<String, String> rowsAtStake(ExecutionPlan plan, Target target) {
		Map<String, String> counts = new java.util.LinkedHashMap<>();
		try {
			readOnly(target, "backout preview", (statement) -> {
				for (PlannedStep step : plan.steps()) {
					if (step.destructive() && step.countBefore() != null) {
						statement.execute("SAVEPOINT preview");
						try (ResultSet rs = statement.executeQuery(OneCommand.checked(step.countBefore()))) {
							counts.put(step.stepId(), rs.next() ? String.valueOf(rs.getObject(1)) : "(no rows)");
						}
						catch (SQLException ex) {
							statement.execute("ROLLBACK TO SAVEPOINT preview");
							counts.put(step.stepId(), "not countable now: " + ex.getMessage().lines().findFirst().orElse(""));
						}
					}
				}
				return null;
			});
		}
		catch (SQLException ex) {
			throw new ExecutionRefused("Cannot read the rows at stake on target " + target.name() + ": " + ex.getMessage());
		}
		return counts;
	}

	/** Work on the target as a check is: the checks credential, one READ ONLY transaction, a 10 s statement timeout, rolled back. */
	private <T> T readOnly(Target target, String purpose, ReadOnlyWork<T> work) throws SQLException {
		try (Connection connection = this.targets.connectForChecks(target, purpose)) {
			connection.setAutoCommit(false);
			try (java.sql.Statement statement = OneCommand.statement(connection)) {
				statement.execute("SET TRANSACTION READ ONLY");
				statement.execute("SET LOCAL statement_timeout = 10000");
				return work.on(statement);
			}
			finally {
				connection.rollback();
			}
		}
	}

	private interface ReadOnlyWork<T> {

		T on(java.sql.Statement statement) throws SQLException;

	}

	/**
	 * What a destructive step would remove, read as a check is (checks credential, READ ONLY,
	 * short statement timeout), for the person about to type its confirmation.
	 */
	public BlastRadius blastRadius(Target target, PlannedStep step) {
		try {
			return readOnly(target, "backout blast radius", (statement) -> BlastRadius.of(statement.getConnection(), step.statements()));
		}
		catch (SQLException ex) {
			return new BlastRadius(List.of("not readable now: " + ex.getMessage().lines().findFirst().orElse("")));
		}
	}

	/**
	 * A decision's fact, read as a check is: the check credential, one READ ONLY transaction, a
	 * short statement timeout. Nothing is journaled; the answer that uses it records the value.
	 */
	public FactValue fact(Target target, String sql) {
		try {
			return readOnly(target, "backout fact", (statement) -> {
				try (ResultSet rs = statement.executeQuery(OneCommand.checked(sql))) {
					boolean hasRow = rs.next();
					return new FactValue(hasRow, hasRow ? rs.getObject(1) : null, null);
				}
			});
		}
		catch (SQLException ex) {
			return new FactValue(false, null, ex.getMessage().lines().findFirst().orElse("the target did not answer"));
		}
	}

	/**
	 * @param error why the fact could not be read now (then there is no value)
	 */
	public record FactValue(boolean hasRow, Object value, String error) {

		public String describe() {
			return (this.error != null) ? "not readable now: " + this.error : this.hasRow ? String.valueOf(this.value) : "(no rows)";
		}

	}

	/** What the incident's running step waits for, as last seen by its watcher (from memory). */
	public Optional<String> waitOf(long incidentId) {
		return this.waits.of(incidentId);
	}

	public List<StepRun> journal(long incidentId) {
		return this.journal.runs(incidentId);
	}

	/** {@link #journal} as a query to send with others ({@link dev.backout.database.OneTrip}). */
	public static ConsoleQuery<List<StepRun>> journalQuery(long incidentId) {
		return StepJournal.runsQuery(incidentId);
	}

	/** Captures the target's catalog and stores it with the incident (before execution, after verification). */
	public String snapshot(long incidentId, ExecutionPlan plan, SchemaSnapshots.Kind kind) {
		Target target = target(plan);
		try (Connection connection = this.targets.connect(target, "backout snapshot " + incidentId)) {
			String content = SchemaSnapshots.capture(connection);
			this.snapshots.store(incidentId, target, kind, content);
			return content;
		}
		catch (SQLException ex) {
			throw new ExecutionRefused("Cannot read the catalog of target " + target.name() + ": " + ex.getMessage());
		}
	}

	private static boolean done(StepState latest) {
		return latest == StepState.SUCCEEDED || latest == StepState.SKIPPED;
	}

	private Target target(ExecutionPlan plan) {
		return this.targets.get(plan.targetId());
	}

}
