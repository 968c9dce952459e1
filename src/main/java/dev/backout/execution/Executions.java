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
import dev.backout.runbook.Outcome;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.Step;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;

/**
 * The execution API the incident workflow uses: prepare a plan (with the hash approvers
 * approve), run checks, run the next step or the rest of a phase, cancel, recover, resolve.
 * It enforces how steps run — in order, exactly once, one execution per target — but not who
 * may run them: the incident's approval gate decides that before calling in.
 */
@Service
public class Executions implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(Executions.class);

	private final StepExecutor executor;

	private final StepJournal journal;

	private final Recovery recovery;

	private final Targets targets;

	private final SchemaSnapshots snapshots;

	private final AuditTrail trail;

	Executions(StepExecutor executor, StepJournal journal, Recovery recovery, Targets targets, SchemaSnapshots snapshots,
			AuditTrail trail) {
		this.executor = executor;
		this.journal = journal;
		this.recovery = recovery;
		this.targets = targets;
		this.snapshots = snapshots;
		this.trail = trail;
	}

	/** Settles what a previous console left in flight, before this one serves requests. */
	@Override
	public void afterSingletonsInstantiated() {
		List<StepRun> settled = this.recovery.recover(null);
		if (!settled.isEmpty()) {
			log.warn("Recovered {} interrupted step attempts at start-up", settled.size());
		}
	}

	public ExecutionPlan prepare(Runbook runbook, String runbookHash, Outcome outcome, List<String> partialSteps,
			Target target) {
		return ExecutionPlan.of(runbook, runbookHash, outcome, partialSteps, target);
	}

	/** Runs every check of {@code phase} (read-only), whatever their results: pre-checks are evidence. */
	public List<StepRun> runChecks(long incidentId, ExecutionPlan plan, PhaseName phase, Authentication actor) {
		List<StepRun> runs = new ArrayList<>();
		for (PlannedStep step : plan.steps()) {
			if (step.phase() == phase && step.kind() == Step.Kind.CHECK) {
				runs.add(this.executor.run(incidentId, plan, step, target(plan), actor, null, Map.of()));
			}
		}
		return runs;
	}

	/**
	 * Runs one named step. The caller names the step it means (what the person saw), so a double
	 * click or a second tab cannot run the step after it.
	 */
	public StepRun runStep(long incidentId, ExecutionPlan plan, String stepId, Authentication actor, String confirmation,
			Map<String, String> inputs) {
		PlannedStep step = plan.step(stepId)
			.orElseThrow(() -> new ExecutionRefused("Step '" + stepId + "' is not part of this incident's plan."));
		Map<String, StepState> latest = latestStates(incidentId);
		Optional<PlannedStep> next = next(plan, latest);
		if (next.isEmpty()) {
			throw new ExecutionRefused("Every step of this plan has run.");
		}
		if (!next.get().stepId().equals(stepId) && !(step.kind() == Step.Kind.CHECK && done(latest.get(stepId)))) {
			throw new ExecutionRefused("Step '" + stepId + "' is not next: '" + next.get().stepId() + "' ("
					+ next.get().title() + ") comes first.");
		}
		return this.executor.run(incidentId, plan, step, target(plan), actor, confirmation, inputs);
	}

	/**
	 * Runs the following steps of the current phase until one fails, needs a typed confirmation
	 * or a person (checklist items), or the phase ends.
	 */
	public List<StepRun> runRestOfPhase(long incidentId, ExecutionPlan plan, Authentication actor) {
		List<StepRun> runs = new ArrayList<>();
		Optional<PlannedStep> next = next(incidentId, plan);
		PhaseName phase = next.map(PlannedStep::phase).orElse(null);
		while (next.isPresent() && next.get().phase() == phase && !next.get().destructive()
				&& next.get().kind() != Step.Kind.MANUAL) {
			StepRun run = this.executor.run(incidentId, plan, next.get(), target(plan), actor, null, Map.of());
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

	private static Optional<PlannedStep> next(ExecutionPlan plan, Map<String, StepState> latest) {
		return plan.steps().stream().filter((step) -> !done(latest.get(step.stepId()))).findFirst();
	}

	/** Each step's latest state, from one read of the journal. */
	private Map<String, StepState> latestStates(long incidentId) {
		Map<String, StepState> latest = new java.util.HashMap<>();
		this.journal.runs(incidentId).forEach((run) -> latest.put(run.stepId(), run.state()));
		return latest;
	}

	/** Asks PostgreSQL to cancel the statement of the incident's running step (pg_cancel_backend). */
	public boolean cancel(long incidentId, Authentication actor) {
		StepJournal.InFlight inFlight = this.journal.inFlight(incidentId)
			.orElseThrow(() -> new ExecutionRefused("No step of incident " + incidentId + " is running."));
		if (inFlight.backendPid() == null) {
			throw new ExecutionRefused("The running step has not reached the target yet; try again in a moment.");
		}
		Target target = this.targets.get(inFlight.targetId());
		boolean cancelled;
		try (Connection connection = this.targets.connect(target, "backout cancel");
				PreparedStatement cancel = connection.prepareStatement(
						"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = ? AND application_name = ?")) {
			cancel.setInt(1, inFlight.backendPid());
			cancel.setString(2, TargetSession.applicationName(incidentId));
			try (ResultSet rs = cancel.executeQuery()) {
				cancelled = rs.next() && rs.getBoolean(1);
			}
		}
		catch (SQLException ex) {
			throw new ExecutionRefused("Cannot reach target " + target.name() + " to cancel: " + ex.getMessage());
		}
		this.trail.record(AuditEntry.by(actor, "STEP_CANCEL_REQUESTED", Map.of("runId", inFlight.runId(), "signalled", cancelled))
			.forIncident(incidentId));
		return cancelled;
	}

	/** Settles attempts left in flight by a console that died (also done at every start-up). */
	public List<StepRun> recover(Authentication actor) {
		return this.recovery.recover(actor);
	}

	/** A person settles an UNKNOWN attempt, having looked at the target (e.g. its verification check). */
	public StepRun resolve(long runId, boolean applied, String reason, Authentication actor) {
		StepRun run = this.journal.get(runId);
		if (run.state() != StepState.UNKNOWN) {
			throw new ExecutionRefused("Only an attempt whose outcome is unknown can be resolved by hand.");
		}
		if (reason == null || reason.isBlank()) {
			throw new ExecutionRefused("Say how you know: the reason is part of the trail.");
		}
		return this.journal.settle(runId, applied ? StepState.SUCCEEDED : StepState.FAILED,
				"Resolved by " + actor.getName() + ": " + reason.trim(), actor);
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
		Map<String, String> counts = new java.util.LinkedHashMap<>();
		Target target = target(plan);
		try (Connection connection = this.targets.connect(target, "backout preview")) {
			connection.setAutoCommit(false);
			try (java.sql.Statement statement = connection.createStatement()) {
				statement.execute("SET TRANSACTION READ ONLY");
				statement.execute("SET LOCAL statement_timeout = 10000");
				for (PlannedStep step : plan.steps()) {
					if (step.destructive() && step.countBefore() != null) {
						statement.execute("SAVEPOINT preview");
						try (ResultSet rs = statement.executeQuery(step.countBefore())) {
							counts.put(step.stepId(), rs.next() ? String.valueOf(rs.getObject(1)) : "(no rows)");
						}
						catch (SQLException ex) {
							statement.execute("ROLLBACK TO SAVEPOINT preview");
							counts.put(step.stepId(), "not countable now: " + ex.getMessage().lines().findFirst().orElse(""));
						}
					}
				}
			}
			finally {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			throw new ExecutionRefused("Cannot read the rows at stake on target " + target.name() + ": " + ex.getMessage());
		}
		return counts;
	}

	public List<StepRun> journal(long incidentId) {
		return this.journal.runs(incidentId);
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
