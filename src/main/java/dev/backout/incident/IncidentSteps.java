package dev.backout.incident;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.backout.execution.Admission;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepSettled;
import dev.backout.execution.StepState;
import dev.backout.execution.TargetBusy;
import dev.backout.execution.TargetUnreachable;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Step;
import dev.backout.system.InputTooLong;
import dev.backout.target.SchemaSnapshots;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sending the plan's steps to the target: pre-checks, steps, the rest of a phase, retries and
 * settlements. Every path asks the approval gate again ({@link IncidentApprovals#approvedPlan})
 * before anything is sent. Steps run outside the console transaction: their journal commits on
 * its own, and after every run the incident is put where its journal says it is ({@link #reconcile}).
 */
@Service
public class IncidentSteps {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IncidentSteps.class);

	private final Incidents incidents;

	private final IncidentApprovals incidentApprovals;

	private final Executions executions;

	private final SchemaSnapshots snapshots;

	private final TransactionTemplate requiresNew;

	IncidentSteps(Incidents incidents, IncidentApprovals incidentApprovals, Executions executions, SchemaSnapshots snapshots,
			TransactionTemplate transactions) {
		this.incidents = incidents;
		this.incidentApprovals = incidentApprovals;
		this.executions = executions;
		this.snapshots = snapshots;
		this.requiresNew = new TransactionTemplate(transactions.getTransactionManager());
		this.requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** Runs every pre-check (READ ONLY) and returns their results; pre-checks are evidence, not gates. */
	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runPrechecks(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.PRECHECK, "Pre-checks run before approval is requested.");
		return this.executions.runChecks(id, this.incidents.plan(incident).orElseThrow(), PhaseName.PRECHECK, actor);
	}

	/**
	 * Runs the step the commander saw as next (destructive steps with the typed confirmation), or,
	 * before approval, ticks a pre-check checklist item.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public StepRun runStep(long id, String stepId, String confirmation, Map<String, String> inputs, Authentication actor) {
		InputTooLong.atMost(confirmation, InputTooLong.SHORT, "confirmation");
		if (inputs.size() > 50) {
			throw new IncidentRefused("A checklist item takes at most 50 inputs.");
		}
		inputs.forEach((name, value) -> InputTooLong.atMost(value, InputTooLong.SHORT, "input \"" + name + "\""));
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		if (incident.state() == IncidentState.PRECHECK) {
			return tickPrecheck(incident, stepId, inputs, actor);
		}
		ExecutionPlan plan = gate(incident);
		plan.step(stepId).orElseThrow(() -> new IncidentRefused("No step '" + stepId + "' in this plan."));
		snapshotBeforeFirstStep(incident, plan);
		StepRun run = haltIfUnavailable(id, actor,
				() -> this.executions.runStep(id, plan, stepId, actor, confirmation, inputs, admission(id, plan, false, actor)));
		reconcile(id, actor);
		return run;
	}

	/** Ticks a pre-check checklist item (before approval: it touches nothing). */
	private StepRun tickPrecheck(Incident incident, String stepId, Map<String, String> inputs, Authentication actor) {
		long id = incident.id();
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
		PlannedStep step = plan.step(stepId).orElseThrow(() -> new IncidentRefused("No step '" + stepId + "' in this plan."));
		if (step.phase() != PhaseName.PRECHECK || step.kind() != Step.Kind.MANUAL) {
			throw new IncidentRefused("Only pre-check checklist items are ticked before approval.");
		}
		return this.executions.runStep(id, plan, stepId, actor, null, inputs, Admission.NONE);
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runRestOfPhase(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		ExecutionPlan plan = gate(incident);
		snapshotBeforeFirstStep(incident, plan);
		List<StepRun> runs = haltIfUnavailable(id, actor,
				() -> this.executions.runRestOfPhase(id, plan, actor, admission(id, plan, false, actor)));
		reconcile(id, actor);
		return runs;
	}

	/**
	 * Runs the following steps, phase after phase, until one needs a person: a typed
	 * confirmation, a checklist item, a failure, or the end of the plan. Each phase goes through
	 * the gate as "rest of phase" does; nothing here runs a step that phase would not.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runUntilAPersonIsNeeded(long id, Authentication actor) {
		List<StepRun> all = new ArrayList<>();
		for (int phases = 0; phases < PhaseName.values().length; phases++) {
			List<StepRun> runs = runRestOfPhase(id, actor);
			all.addAll(runs);
			Incident incident = this.incidents.get(id);
			Optional<PlannedStep> next = this.incidents.plan(incident).flatMap((plan) -> this.executions.next(id, plan));
			boolean automatic = next.filter((step) -> !step.destructive() && step.kind() != Step.Kind.MANUAL).isPresent();
			if (runs.isEmpty() || runs.get(runs.size() - 1).state() != StepState.SUCCEEDED || !incident.state().executing()
					|| !automatic) {
				break;
			}
		}
		return all;
	}

	/**
	 * Runs the step that halted the incident once more (an explicit retry). The incident leaves
	 * HALTED only once a session on the target is open; before anything is sent, an attempt whose
	 * outcome was lost is settled from the marker, and a committed one is never resent.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public StepRun retry(long id, int version, String confirmation, Authentication actor) {
		Incident incident = this.incidents.current(id, version);
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.HALTED, "Only a halted incident is retried.");
		ExecutionPlan plan = this.incidentApprovals.approvedPlan(incident); // a retry asks the gate again, like every path to the target
		PlannedStep failed = this.executions.next(id, plan)
			.orElseThrow(() -> new IncidentRefused("Every step has run; nothing is left to retry."));
		// A destructive step is confirmed by whoever sends it, each time: a retry is a new decision.
		if (failed.destructive() && !failed.confirm().equals(confirmation)) {
			throw new IncidentRefused("Retrying \"" + failed.title() + "\" destroys data again: type " + failed.confirm()
					+ " to confirm it. Nothing was sent.");
		}
		this.executions.settle(id, actor);
		Optional<StepRun> latest = latest(this.executions.journal(id), failed.stepId());
		if (latest.isPresent() && latest.get().state() == StepState.SUCCEEDED) {
			// Its lost outcome turned out applied: nothing to resend, and the step after it is not the one the person saw.
			reconcile(id, actor);
			return latest.get();
		}
		if (latest.isPresent() && latest.get().state() == StepState.UNKNOWN) {
			throw new IncidentRefused("\"" + failed.title() + "\" ran outside a transaction and its outcome is unknown: "
					+ "settle it first (applied or not applied), helped by the verification checks.");
		}
		if (latest.isPresent() && latest.get().state() == StepState.STARTED) {
			throw new IncidentRefused("\"" + failed.title() + "\" is being settled: its outcome "
					+ "is not known yet, so it is not sent again. Try again when the target answers, or settle it by hand.");
		}
		StepRun run = haltIfUnavailable(id, actor, () -> this.executions.runStep(id, plan, failed.stepId(), actor,
				confirmation, Map.of(), admission(id, plan, true, actor)));
		reconcile(id, actor);
		return run;
	}

	/**
	 * A person settles the step whose outcome the console could not learn (it ran outside a
	 * transaction, or its target could not be asked): applied continues the incident, not applied
	 * leaves it halted for a retry, a skip or an abort.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public StepRun settleStep(long id, long runId, boolean applied, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		if (!incident.state().executing() && incident.state() != IncidentState.HALTED) {
			throw new IncidentRefused("Only a step of an executing or halted incident is settled by hand.");
		}
		return this.executions.resolve(id, runId, applied, reason, actor);
	}

	/** The verification checks run read-only now, to help settle a step by hand. */
	@PreAuthorize("hasRole('COMMANDER')")
	public List<Executions.Evidence> evidence(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow(() -> new IncidentRefused("This incident runs no steps."));
		return this.executions.evidence(id, plan, actor);
	}

	/**
	 * A settled (or found interrupted) attempt moves the incident on, or halts it, once the
	 * settlement committed. Every view and action reconciles again, so giving up here loses nothing.
	 */
	@TransactionalEventListener
	public void onStepSettled(StepSettled settled) {
		for (int tries = 0; tries < 3; tries++) {
			try {
				this.requiresNew.executeWithoutResult((status) -> reconcile(settled.incidentId(), Incidents.SYSTEM));
				return;
			}
			catch (IncidentChanged changed) {
				// Someone changed the incident meanwhile: look again.
			}
			catch (RuntimeException ex) {
				log.warn("Incident {} not moved after step {} was settled: {}", settled.incidentId(), settled.stepId(),
						ex.getMessage());
				return;
			}
		}
		log.warn("Incident {} kept changing while step {} was settled; its next view or action moves it",
				settled.incidentId(), settled.stepId());
	}

	/**
	 * Puts an executing or halted incident where its journal says it is: HALTED while its next
	 * step failed, is unknown or is being settled; otherwise EXECUTING or VERIFYING. The one rule
	 * after every run, retry and settlement.
	 */
	private void reconcile(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		if (incident.state() != IncidentState.EXECUTING && incident.state() != IncidentState.VERIFYING
				&& incident.state() != IncidentState.HALTED) {
			return;
		}
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
		List<StepRun> journal = this.executions.journal(id);
		Optional<PlannedStep> next = Executions.next(plan, journal);
		Map<String, StepRun> latestByStep = new LinkedHashMap<>();
		journal.forEach((run) -> latestByStep.put(run.stepId(), run));
		// The next step's failure, or any attempt whose outcome nobody knows yet.
		Optional<StepRun> blocking = next.map((step) -> latestByStep.get(step.stepId()))
			.filter(IncidentSteps::blocks)
			.or(() -> latestByStep.values()
				.stream()
				.filter((run) -> run.state() == StepState.UNKNOWN || run.beingSettled())
				.findFirst());
		IncidentState should = blocking.isPresent() ? IncidentState.HALTED : Incidents.phaseState(next);
		if (should == incident.state()) {
			return;
		}
		Map<String, Object> details = new LinkedHashMap<>();
		blocking.ifPresent((run) -> {
			details.put("step", run.stepId());
			details.put("state", run.state().name());
			details.put("error", run.beingSettled() ? "outcome being settled" : String.valueOf(run.error()));
		});
		Incident moved = this.incidents.transition(id, incident.version(), (current) -> current.withState(should), actor,
				(should == IncidentState.HALTED) ? "INCIDENT_HALTED"
						: (incident.state() == IncidentState.HALTED) ? "INCIDENT_RESUMED" : "INCIDENT_" + should.name(),
				details);
		if (should == IncidentState.HALTED) {
			this.incidents.publish("HALTED", moved, blocking.map((run) -> run.stepId() + ": " + details.get("error")).orElse(""));
		}
	}

	/** An attempt that keeps the incident from going on. */
	private static boolean blocks(StepRun run) {
		return run.state() == StepState.FAILED || run.state() == StepState.UNKNOWN || run.beingSettled();
	}

	private static Optional<StepRun> latest(List<StepRun> journal, String stepId) {
		return journal.stream().filter((run) -> run.stepId().equals(stepId)).reduce((a, b) -> b);
	}

	/**
	 * What the incident checks and changes once the step's target session is open: the session
	 * reached the database approval was requested for, and the incident moves to EXECUTING (first
	 * step, or a retry out of HALTED) only now that the step can really run.
	 */
	private Admission admission(long id, ExecutionPlan plan, boolean retrying, Authentication actor) {
		return (databaseKey) -> {
			Incident incident = this.incidents.get(id);
			if (databaseKey != null && incident.databaseKey() != null && !databaseKey.equals(incident.databaseKey())) {
				throw new DatabaseChanged(plan.targetName());
			}
			if (retrying) {
				if (incident.state() != IncidentState.HALTED) {
					throw new IncidentChanged(id);
				}
				this.incidents.transition(id, incident.version(), (current) -> current.withState(this.incidents.phaseState(id, plan)), actor,
						"INCIDENT_RESUMED", Map.of("retrying", this.executions.next(id, plan).map(PlannedStep::stepId).orElse("")));
			}
			else if (incident.state() == IncidentState.APPROVED) {
				this.incidents.transition(id, incident.version(), (current) -> current.withState(IncidentState.EXECUTING), actor,
						"INCIDENT_EXECUTING", Map.of("planHash", plan.planHash()));
			}
			else if (!incident.state().executing()) {
				throw new IncidentRefused("Nothing runs against the target now (the incident is "
						+ incident.state().label().toLowerCase() + ").");
			}
		};
	}

	/**
	 * A target that cannot be reached, is held by someone else, or now reaches another database
	 * halts an executing incident (nothing was sent), so that it can be retried later or aborted;
	 * it never leaves the incident stuck in EXECUTING.
	 */
	private <T> T haltIfUnavailable(long id, Authentication actor, Supplier<T> action) {
		try {
			return action.get();
		}
		catch (TargetUnreachable | TargetBusy | DatabaseChanged unavailable) {
			if (unavailable instanceof TargetBusy busy && busy.heldByThisIncident()) {
				throw busy; // its own previous session is ending, or another tab runs its step: nothing to halt for
			}
			Incident incident = this.incidents.get(id);
			if (incident.state() == IncidentState.EXECUTING || incident.state() == IncidentState.VERIFYING) {
				Incident halted = this.incidents.transition(id, incident.version(), (current) -> current.withState(IncidentState.HALTED), actor,
						"INCIDENT_HALTED", Map.of("reason", unavailable.getMessage()));
				this.incidents.publish("HALTED", halted, unavailable.getMessage());
			}
			throw unavailable;
		}
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public String cancel(long id, Authentication actor) {
		this.incidents.get(id).requireCommander(actor.getName());
		return this.executions.cancel(id, actor);
	}

	/** The plan, if (and only if) the incident may send steps to its target now. */
	private ExecutionPlan gate(Incident incident) {
		if (incident.state() == IncidentState.HALTED) {
			throw new IncidentRefused("The incident is halted: retry the failed step, ask to skip it, or abort.");
		}
		if (!incident.state().executing()) {
			throw new IncidentRefused("Nothing runs against the target before the incident is approved (it is "
					+ incident.state().label().toLowerCase() + ").");
		}
		return this.incidentApprovals.approvedPlan(incident);
	}

	/** The catalog before anything changes, taken once, before the first step. */
	private void snapshotBeforeFirstStep(Incident incident, ExecutionPlan plan) {
		if (incident.state() == IncidentState.APPROVED
				&& this.snapshots.find(incident.id(), SchemaSnapshots.Kind.BEFORE).isEmpty()) {
			this.executions.snapshot(incident.id(), plan, SchemaSnapshots.Kind.BEFORE);
		}
	}

}
