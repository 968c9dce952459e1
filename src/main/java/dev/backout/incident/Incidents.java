package dev.backout.incident;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backout.approval.Approval;
import dev.backout.approval.ApprovalRefused;
import dev.backout.approval.Approvals;
import dev.backout.approval.IncidentApproved;
import dev.backout.approval.IncidentRejected;
import dev.backout.approval.Review;
import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.audit.TrailCheckpoints;
import dev.backout.execution.Admission;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepSettled;
import dev.backout.execution.StepState;
import dev.backout.execution.TargetBusy;
import dev.backout.execution.TargetUnreachable;
import dev.backout.runbook.DecisionTree;
import dev.backout.runbook.LoadedRunbook;
import dev.backout.runbook.Outcome;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.runbook.Step;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.TargetException;
import dev.backout.system.InputTooLong;
import dev.backout.target.Targets;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The incident workflow. Every transition is checked against the state machine and the
 * incident's version, and audited in the same transaction. Every action that sends anything to
 * the target asks the approval gate again, whatever the path (page, API, retry, resume).
 * Steps run outside the console transaction: their journal commits on its own.
 */
@Service
public class Incidents {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Incidents.class);

	private final IncidentRepository incidents;

	private final RunbookCatalog catalog;

	private final Targets targets;

	private final Executions executions;

	private final Approvals approvals;

	private final SchemaSnapshots snapshots;

	private final AuditTrail trail;

	private final TrailCheckpoints checkpoints;

	private final Clock clock;

	private final TransactionTemplate transactions;

	private final ApplicationEventPublisher events;

	private final TransactionTemplate requiresNew;

	/** The console acting on its own (applying an approved skip). */
	private static final Authentication SYSTEM = UsernamePasswordAuthenticationToken.authenticated(AuditEntry.SYSTEM, null,
			List.of());

	Incidents(IncidentRepository incidents, RunbookCatalog catalog, Targets targets, Executions executions,
			Approvals approvals, SchemaSnapshots snapshots, AuditTrail trail, TrailCheckpoints checkpoints, Clock clock,
			TransactionTemplate transactions, ApplicationEventPublisher events) {
		this.transactions = transactions;
		this.requiresNew = new TransactionTemplate(transactions.getTransactionManager());
		this.requiresNew.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.events = events;
		this.incidents = incidents;
		this.catalog = catalog;
		this.targets = targets;
		this.executions = executions;
		this.approvals = approvals;
		this.snapshots = snapshots;
		this.trail = trail;
		this.checkpoints = checkpoints;
		this.clock = clock;
	}

	/** What the commander enters to open an incident. */
	public record Opening(String runbookId, long targetId, String symptom, Severity severity, Instant detectedAt) {
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident open(Opening opening, Authentication commander) {
		LoadedRunbook loaded = this.catalog.get(opening.runbookId());
		Target target = this.targets.get(opening.targetId());
		String alias = loaded.runbook().target();
		if (alias != null && !alias.equals(target.aliasGroup())) {
			throw new IncidentRefused("Runbook " + loaded.id() + " runs on targets of alias group '" + alias + "'; "
					+ target.name() + " belongs to '" + target.aliasGroup() + "'.");
		}
		InputTooLong.atMost(opening.symptom(), InputTooLong.TEXT, "symptom");
		if (opening.symptom() == null || opening.symptom().isBlank()) {
			throw new IncidentRefused("Describe the symptom: it is the first line of the incident record.");
		}
		Instant now = this.clock.instant();
		Instant detected = (opening.detectedAt() != null) ? opening.detectedAt() : now;
		if (detected.isAfter(now.plusSeconds(60))) {
			throw new IncidentRefused("The detection time is in the future.");
		}
		var deadline = loaded.runbook().authorization().deadlineDuration();
		Incident draft = new Incident(0, loaded.id(), loaded.hash(), loaded.runbook().title(), target.id(),
				commander.getName(), opening.symptom().trim(), opening.severity(), detected, now,
				(deadline != null) ? detected.plus(deadline) : null, false, IncidentState.TRIAGE, List.of(), null, List.of(),
				null, null, List.of(), null, null, null, null, 0);
		long id = this.incidents.insert(draft);
		boolean lateAlready = draft.deadlineAt() != null && draft.deadlineAt().isBefore(now);
		audit(commander, "INCIDENT_OPENED", id, Map.of("runbook", loaded.id(), "runbookVersion", loaded.hash(), "target",
				target.name(), "severity", opening.severity().name(), "symptom", opening.symptom().trim(), "detectedAt",
				detected.toString()));
		if (lateAlready) {
			this.incidents.markOverdue(id);
			audit(commander, "INCIDENT_OVERDUE", id, Map.of("deadline", draft.deadlineAt().toString(), "when",
					"already passed when the incident was opened"));
		}
		return this.incidents.get(id);
	}

	public Incident get(long id) {
		return this.incidents.get(id);
	}

	public List<Incident> recent(int limit) {
		return this.incidents.recent(limit);
	}

	/** Incidents not yet completed, closed or aborted, newest first. */
	public List<Incident> active() {
		return this.incidents.active();
	}

	/** The runbook version the incident pinned. */
	public Runbook runbook(Incident incident) {
		return this.catalog.version(incident.runbookId(), incident.runbookHash())
			.orElseThrow(() -> new IncidentRefused("The pinned runbook version " + incident.runbookHash()
					+ " is not stored; the incident cannot continue."));
	}

	public Optional<ExecutionPlan> plan(Incident incident) {
		if (incident.outcome() == null || !incident.outcome().executes()) {
			return Optional.empty();
		}
		return plan(incident, this.targets.get(incident.targetId()));
	}

	/** The plan on a target already read. */
	Optional<ExecutionPlan> plan(Incident incident, Target target) {
		if (incident.outcome() == null || !incident.outcome().executes()) {
			return Optional.empty();
		}
		return Optional.of(this.executions.prepare(runbook(incident), incident.runbookHash(), incident.outcome(),
				incident.partialSteps(), target));
	}

	/** The active version of the runbook when it differs from the pinned one. */
	public Optional<LoadedRunbook> newerRunbook(Incident incident) {
		return this.catalog.find(incident.runbookId()).filter((loaded) -> !loaded.hash().equals(incident.runbookHash()));
	}

	public DecisionWalk walk(Incident incident) {
		return DecisionWalk.of(runbook(incident).decision(), incident.answers());
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident answer(long id, int version, String questionId, String answer, Authentication actor) {
		InputTooLong.atMost(answer, InputTooLong.SHORT, "answer");
		InputTooLong.atMost(questionId, InputTooLong.SHORT, "question");
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		require(incident, IncidentState.TRIAGE, "Answers can change until the decision is confirmed.");
		DecisionTree tree = runbook(incident).decision();
		List<Answer> answers = new java.util.ArrayList<>(DecisionWalk.answer(tree, incident.answers(), questionId, answer));
		Answer given = answers.get(answers.size() - 1);
		DecisionTree.Question question = tree.question(questionId).orElseThrow();
		Map<String, Object> details = new LinkedHashMap<>(Map.of("question", given.ask(), "answer", given.answer()));
		if (question.fact() != null) {
			// The answer records the fact as it was read when it was given, and whether it disagrees.
			Executions.FactValue fact = this.executions.fact(this.targets.get(incident.targetId()), question.fact().check());
			DecisionTree.Answer chosen = question.answers().stream().filter((a) -> a.answer().equals(answer)).findFirst().orElseThrow();
			boolean contradicts = fact.error() == null && chosen.expect() != null && !chosen.expect().isMetBy(fact.hasRow(), fact.value());
			given = given.withFact(question.fact().label(), fact.describe(), contradicts);
			answers.set(answers.size() - 1, given);
			details.put("fact", question.fact().label() + ": " + fact.describe());
			if (contradicts) {
				details.put("contradicted", true);
			}
		}
		Incident saved = this.incidents.update(incident.withAnswers(answers));
		audit(actor, "DECISION_ANSWERED", id, details);
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident confirmDecision(long id, int version, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		require(incident, IncidentState.TRIAGE, "The decision is already confirmed.");
		DecisionWalk walk = walk(incident);
		DecisionTree.Answer ending = walk.ending()
			.orElseThrow(() -> new IncidentRefused("Answer the questions until the decision tree reaches an outcome."));
		Outcome outcome = ending.outcome();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("outcome", outcome.name());
		details.put("path", walk.path().stream().map((a) -> a.ask() + " → " + a.answer()).toList());
		if (!outcome.executes()) {
			if (reason == null || reason.isBlank()) {
				throw new IncidentRefused("Say why the incident closes with \"" + outcome.label() + "\": it is the record.");
			}
			details.put("reason", reason.trim());
			Incident closed = this.incidents.update(incident.withDecision(outcome, List.of(), reason.trim(), null,
					IncidentState.CLOSED).closed(IncidentState.CLOSED, null, this.clock.instant()));
			audit(actor, "DECISION_CONFIRMED", id, details);
			audit(actor, "INCIDENT_CLOSED", id, Map.of("outcome", outcome.name(), "reason", reason.trim()));
			this.checkpoints.writeAfterCommit("incident " + id + " closed");
			return closed;
		}
		Incident decided = incident.withDecision(outcome, ending.steps(), (reason != null && !reason.isBlank()) ? reason.trim() : null,
				null, IncidentState.PRECHECK);
		String planHash = plan(decided).orElseThrow().planHash();
		details.put("partialSteps", ending.steps());
		details.put("planHash", planHash);
		if (reason != null && !reason.isBlank()) {
			details.put("reason", reason.trim());
		}
		Incident saved = this.incidents.update(decided.withDecision(outcome, ending.steps(), decided.decisionReason(), planHash,
				IncidentState.PRECHECK));
		audit(actor, "DECISION_CONFIRMED", id, details);
		return saved;
	}

	/** Runs every pre-check (READ ONLY) and returns their results; pre-checks are evidence, not gates. */
	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runPrechecks(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		requireCommander(incident, actor);
		require(incident, IncidentState.PRECHECK, "Pre-checks run before approval is requested.");
		return this.executions.runChecks(id, plan(incident).orElseThrow(), PhaseName.PRECHECK, actor);
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident recordLeadUnreachable(long id, int version, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		if (!incident.state().awaitsApprovers()) {
			throw new IncidentRefused("The team lead's availability matters only while approval is pending.");
		}
		if (reason == null || reason.isBlank()) {
			throw new IncidentRefused("Say how you tried to reach the team lead: the fallback approver depends on it.");
		}
		Incident saved = this.incidents.update(incident.withLeadUnreachable(reason.trim()));
		this.approvals.leadUnreachable(id, reason.trim());
		audit(actor, "TEAM_LEAD_UNREACHABLE", id, Map.of("reason", reason.trim()));
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public Incident requestApproval(long id, int version, Authentication actor) {
		Incident incident = this.incidents.get(id);
		requireCommander(incident, actor);
		if (incident.state() == IncidentState.HALTED && approvalsCoverPlan(incident)) {
			throw new IncidentRefused("The approvals still cover this plan: retry the step, ask to skip it, or abort.");
		}
		if (incident.state() != IncidentState.HALTED) {
			require(incident, IncidentState.PRECHECK, "Approval is requested once, after the pre-checks.");
		}
		ExecutionPlan plan = plan(incident).orElseThrow();
		Optional<PlannedStep> next = this.executions.next(id, plan);
		if (next.isPresent() && next.get().phase() == PhaseName.PRECHECK) {
			throw new IncidentRefused("Finish the pre-checks first: \"" + next.get().title() + "\" has not passed"
					+ (next.get().kind() == Step.Kind.MANUAL ? " (tick it)." : " (run the pre-checks)."));
		}
		Target target = this.targets.get(incident.targetId());
		String databaseKey = databaseKey(target);
		refuseWhileBusy(id, target, databaseKey);
		Review review = review(incident, plan, List.of(), null);
		Incident requested = transition(id, version, (current) -> {
			submit(current, review, actor);
			return current.withDatabaseKey(databaseKey).withState(IncidentState.AWAITING_APPROVAL);
		}, actor, "INCIDENT_AWAITING_APPROVAL", Map.of("planHash", plan.planHash(), "database", databaseKey));
		publish("APPROVAL_REQUESTED", requested, "plan " + plan.planHash());
		return requested;
	}

	/**
	 * A rejection is not the end: the commander revises (answers, decision, runbook version, the
	 * pre-checks) and requests approval again. The incident goes back to deciding with its answers
	 * kept; the next request is a new round, in which every approver decides afresh.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public Incident revise(long id, int version, Authentication actor) {
		Incident incident = current(id, version);
		incident.requireCommander(actor.getName());
		Incident.Transition revised = incident.revise();
		Map<String, Object> details = new LinkedHashMap<>();
		this.approvals.decisions(id)
			.stream()
			.filter((decision) -> decision.decision() == Approval.Decision.REJECTED)
			.reduce((first, second) -> second)
			.ifPresent((rejection) -> {
				details.put("rejectedBy", rejection.approver());
				details.put("rejection", rejection.comment());
			});
		details.put("planHash", incident.planHash());
		return transition(id, version, (current) -> current.revise().incident(), actor, revised.event(), details);
	}

	/** The gate decided: the incident may execute (or, for a skip, the step is skipped). */
	@EventListener
	public void onApproved(IncidentApproved approved) {
		Incident incident = this.incidents.get(approved.incidentId());
		if (incident.state() != IncidentState.AWAITING_APPROVAL || !approvalKey(incident).equals(approved.approvalKey())) {
			return;
		}
		ExecutionPlan plan = plan(incident).orElseThrow();
		try {
			refuseWhileBusy(incident.id(), this.targets.get(incident.targetId()), incident.databaseKey());
		}
		catch (IncidentRefused busy) {
			throw new ApprovalRefused(busy.getMessage() + " Nothing was approved; approve once it has ended.");
		}
		IncidentState next = IncidentState.APPROVED;
		for (String stepId : incident.skippedSteps()) {
			boolean alreadySkipped = this.executions.journal(incident.id())
				.stream()
				.anyMatch((run) -> run.stepId().equals(stepId) && run.state() == StepState.SKIPPED);
			if (!alreadySkipped) {
				this.executions.skip(incident.id(), plan, stepId, "skip approved", SYSTEM);
				next = phaseState(incident.id(), plan);
			}
		}
		try {
			this.incidents.update(incident.withState(next));
		}
		catch (IncidentRefused busy) {
			throw new ApprovalRefused(busy.getMessage() + " Nothing was approved; approve once it has ended.");
		}
		this.trail.record(AuditEntry.bySystem("INCIDENT_APPROVED", Map.of("approvalKey", approved.approvalKey(), "state", next.name()))
			.forIncident(incident.id()));
	}

	@EventListener
	public void onRejected(IncidentRejected rejected) {
		Incident incident = this.incidents.get(rejected.incidentId());
		incident.reject().ifPresent((transition) -> {
			this.incidents.update(transition.incident());
			this.trail.record(AuditEntry.bySystem(transition.event(), Map.of("by", rejected.approver(), "comment", rejected.comment()))
				.forIncident(incident.id()));
		});
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
		requireCommander(incident, actor);
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
		ExecutionPlan plan = plan(incident).orElseThrow();
		PlannedStep step = plan.step(stepId).orElseThrow(() -> new IncidentRefused("No step '" + stepId + "' in this plan."));
		if (step.phase() != PhaseName.PRECHECK || step.kind() != Step.Kind.MANUAL) {
			throw new IncidentRefused("Only pre-check checklist items are ticked before approval.");
		}
		return this.executions.runStep(id, plan, stepId, actor, null, inputs, Admission.NONE);
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runRestOfPhase(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		requireCommander(incident, actor);
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
		List<StepRun> all = new java.util.ArrayList<>();
		for (int phases = 0; phases < PhaseName.values().length; phases++) {
			List<StepRun> runs = runRestOfPhase(id, actor);
			all.addAll(runs);
			Incident incident = this.incidents.get(id);
			Optional<PlannedStep> next = plan(incident).flatMap((plan) -> this.executions.next(id, plan));
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
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		require(incident, IncidentState.HALTED, "Only a halted incident is retried.");
		ExecutionPlan plan = approvedPlan(incident); // a retry asks the gate again, like every path to the target
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
		requireCommander(incident, actor);
		if (!incident.state().executing() && incident.state() != IncidentState.HALTED) {
			throw new IncidentRefused("Only a step of an executing or halted incident is settled by hand.");
		}
		return this.executions.resolve(id, runId, applied, reason, actor);
	}

	/** The verification checks run read-only now, to help settle a step by hand. */
	@PreAuthorize("hasRole('COMMANDER')")
	public List<Executions.Evidence> evidence(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		requireCommander(incident, actor);
		ExecutionPlan plan = plan(incident).orElseThrow(() -> new IncidentRefused("This incident runs no steps."));
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
				this.requiresNew.executeWithoutResult((status) -> reconcile(settled.incidentId(), SYSTEM));
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
		ExecutionPlan plan = plan(incident).orElseThrow();
		List<StepRun> journal = this.executions.journal(id);
		Optional<PlannedStep> next = this.executions.next(id, plan);
		Map<String, StepRun> latestByStep = new LinkedHashMap<>();
		journal.forEach((run) -> latestByStep.put(run.stepId(), run));
		// The next step's failure, or any attempt whose outcome nobody knows yet.
		Optional<StepRun> blocking = next.map((step) -> latestByStep.get(step.stepId()))
			.filter(Incidents::blocks)
			.or(() -> latestByStep.values()
				.stream()
				.filter((run) -> run.state() == StepState.UNKNOWN || run.beingSettled())
				.findFirst());
		IncidentState should = blocking.isPresent() ? IncidentState.HALTED : phaseState(id, plan);
		if (should == incident.state()) {
			return;
		}
		Map<String, Object> details = new LinkedHashMap<>();
		blocking.ifPresent((run) -> {
			details.put("step", run.stepId());
			details.put("state", run.state().name());
			details.put("error", run.beingSettled() ? "outcome being settled" : String.valueOf(run.error()));
		});
		Incident moved = transition(id, incident.version(), (current) -> current.withState(should), actor,
				(should == IncidentState.HALTED) ? "INCIDENT_HALTED"
						: (incident.state() == IncidentState.HALTED) ? "INCIDENT_RESUMED" : "INCIDENT_" + should.name(),
				details);
		if (should == IncidentState.HALTED) {
			publish("HALTED", moved, blocking.map((run) -> run.stepId() + ": " + details.get("error")).orElse(""));
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
				transition(id, incident.version(), (current) -> current.withState(phaseState(id, plan)), actor,
						"INCIDENT_RESUMED", Map.of("retrying", this.executions.next(id, plan).map(PlannedStep::stepId).orElse("")));
			}
			else if (incident.state() == IncidentState.APPROVED) {
				transition(id, incident.version(), (current) -> current.withState(IncidentState.EXECUTING), actor,
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
	private <T> T haltIfUnavailable(long id, Authentication actor, java.util.function.Supplier<T> action) {
		try {
			return action.get();
		}
		catch (TargetUnreachable | TargetBusy | DatabaseChanged unavailable) {
			if (unavailable instanceof TargetBusy busy && busy.heldByThisIncident()) {
				throw busy; // its own previous session is ending, or another tab runs its step: nothing to halt for
			}
			Incident incident = this.incidents.get(id);
			if (incident.state() == IncidentState.EXECUTING || incident.state() == IncidentState.VERIFYING) {
				Incident halted = transition(id, incident.version(), (current) -> current.withState(IncidentState.HALTED), actor,
						"INCIDENT_HALTED", Map.of("reason", unavailable.getMessage()));
				publish("HALTED", halted, unavailable.getMessage());
			}
			throw unavailable;
		}
	}

	/** Asks to skip the failed step: needs a reason and a fresh approval of the changed plan. */
	@PreAuthorize("hasRole('COMMANDER')")
	public Incident requestSkip(long id, int version, String stepId, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		require(incident, IncidentState.HALTED, "Only the step that halted the incident can be skipped.");
		ExecutionPlan plan = plan(incident).orElseThrow();
		PlannedStep failed = this.executions.next(id, plan).orElseThrow();
		if (!failed.stepId().equals(stepId)) {
			throw new IncidentRefused("Only the failed step '" + failed.stepId() + "' can be skipped now.");
		}
		if (reason == null || reason.isBlank()) {
			throw new IncidentRefused("Say why the step may be skipped: approvers decide on it.");
		}
		List<String> skipped = new ArrayList<>(incident.skippedSteps());
		skipped.add(stepId);
		Incident withSkip = incident.withSkipped(skipped, IncidentState.AWAITING_APPROVAL);
		Review review = review(withSkip, plan, skipped, reason.trim());
		return transition(id, version, (current) -> {
			Incident next = current.withSkipped(skipped, IncidentState.AWAITING_APPROVAL);
			submit(next, review, actor);
			return next;
		}, actor, "SKIP_REQUESTED", Map.of("step", stepId, "reason", reason.trim()));
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident abort(long id, int version, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = current(id, version);
		incident.requireCommander(actor.getName());
		Incident.Transition aborted = incident.abort(reason, this.clock.instant());
		Map<String, StepRun> latestByStep = new LinkedHashMap<>();
		this.executions.journal(id).forEach((run) -> latestByStep.put(run.stepId(), run));
		latestByStep.values()
			.stream()
			.filter((run) -> run.state() == StepState.UNKNOWN || run.state() == StepState.STARTED)
			.findFirst()
			.ifPresent((run) -> {
				throw new IncidentRefused("Settle \"" + run.stepId() + "\" first (applied or not applied): the record must "
						+ "say what the target holds before the incident ends.");
			});
		Incident saved = this.incidents.update(aborted.incident());
		this.approvals.withdraw(id, actor, "incident aborted");
		audit(actor, aborted.event(), id, Map.of("reason", reason.trim(), "from", incident.state().name()));
		this.checkpoints.writeAfterCommit("incident " + id + " aborted");
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public String cancel(long id, Authentication actor) {
		requireCommander(this.incidents.get(id), actor);
		return this.executions.cancel(id, actor);
	}

	/** Re-pins the incident to the active runbook version: the plan changes, so approvals become stale. */
	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident switchToActiveRunbook(long id, int version, Authentication actor) {
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		LoadedRunbook active = newerRunbook(incident)
			.orElseThrow(() -> new IncidentRefused("The incident already uses the active version of its runbook."));
		if (!incident.state().runbookSwitchable()) {
			throw new IncidentRefused("The runbook version can change only before execution starts.");
		}
		Incident repinned = incident.withRunbookVersion(active.hash(), null,
				(incident.state() == IncidentState.TRIAGE) ? IncidentState.TRIAGE : IncidentState.PRECHECK);
		String planHash = plan(repinned).map(ExecutionPlan::planHash).orElse(null);
		Incident saved = this.incidents.update(repinned.withRunbookVersion(active.hash(), planHash, repinned.state()));
		this.approvals.withdraw(id, actor, "runbook version changed");
		audit(actor, "RUNBOOK_VERSION_SWITCHED", id, Map.of("from", incident.runbookHash(), "to", active.hash(),
				"planHash", String.valueOf(planHash)));
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public Incident close(long id, int version, String summary, Authentication actor) {
		InputTooLong.atMost(summary, InputTooLong.SUMMARY, "summary");
		Incident incident = current(id, version);
		requireCommander(incident, actor);
		require(incident, IncidentState.VERIFYING, "An incident closes as completed after its verification.");
		ExecutionPlan plan = plan(incident).orElseThrow();
		this.executions.next(id, plan).ifPresent((step) -> {
			throw new IncidentRefused("\"" + step.title() + "\" is still open: every step and checklist item comes first.");
		});
		if (summary == null || summary.isBlank()) {
			throw new IncidentRefused("Write a summary: what happened, what was rolled back, what follows.");
		}
		this.executions.snapshot(id, plan, SchemaSnapshots.Kind.AFTER);
		Incident completed = transition(id, version,
				(current) -> current.closed(IncidentState.COMPLETED, summary.trim(), this.clock.instant()), actor,
				"INCIDENT_COMPLETED", Map.of("summary", summary.trim()));
		publish("COMPLETED", completed, summary.trim());
		this.checkpoints.writeAfterCommit("incident " + id + " completed");
		return completed;
	}

	/** Whether the approvals given still cover the plan as it is now (not after the target moved, say). */
	public boolean approvalsCoverPlan(Incident incident) {
		return incident.planHash() != null && this.approvals.approvedFor(incident.id(), incident.runbookHash(), approvalKey(incident))
				&& plan(incident).map(ExecutionPlan::planHash).filter(incident.planHash()::equals).isPresent();
	}

	private void publish(String type, Incident incident, String detail) {
		this.events.publishEvent(new IncidentEvent(type, incident.id(), incident.runbookId(), incident.state().name(), detail,
				this.clock.instant()));
	}

	/** The key approvals bind to: the plan hash, plus the steps asked to be skipped. */
	static String approvalKey(Incident incident) {
		String material = incident.planHash() + "|skip:" + String.join(",", incident.skippedSteps());
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
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
		return approvedPlan(incident);
	}

	/** The plan, if the incident's approvals cover it as it is now (runbook version, plan, skips). */
	private ExecutionPlan approvedPlan(Incident incident) {
		if (!this.approvals.approvedFor(incident.id(), incident.runbookHash(), approvalKey(incident))) {
			throw new IncidentRefused("The approvals of this incident do not cover its current plan and runbook version.");
		}
		ExecutionPlan plan = plan(incident).orElseThrow();
		if (!plan.planHash().equals(incident.planHash())) {
			throw new IncidentRefused("The plan changed since it was approved; request approval again.");
		}
		return plan;
	}

	/** The catalog before anything changes, taken once, before the first step. */
	private void snapshotBeforeFirstStep(Incident incident, ExecutionPlan plan) {
		if (incident.state() == IncidentState.APPROVED
				&& this.snapshots.find(incident.id(), SchemaSnapshots.Kind.BEFORE).isEmpty()) {
			this.executions.snapshot(incident.id(), plan, SchemaSnapshots.Kind.BEFORE);
		}
	}

	private String databaseKey(Target target) {
		try {
			return this.targets.databaseKey(target);
		}
		catch (dev.backout.target.TargetException ex) {
			throw new IncidentRefused(ex.getMessage());
		}
	}

	/** One incident holds a database from approval to its end, whichever registration reaches it. */
	private void refuseWhileBusy(long id, Target target, String databaseKey) {
		this.incidents.holding(databaseKey, target.id(), id).ifPresent((holder) -> {
			throw new IncidentRefused("Target " + target.name() + " is busy with incident " + holder.id() + " ("
					+ holder.state().label().toLowerCase() + ") on the same database: one incident runs on a database at a time.");
		});
	}

	/** EXECUTING while backup or execute steps remain, VERIFYING after. */
	private IncidentState phaseState(long id, ExecutionPlan plan) {
		return this.executions.next(id, plan)
			.filter((step) -> step.phase() == PhaseName.BACKUP || step.phase() == PhaseName.EXECUTE)
			.map((step) -> IncidentState.EXECUTING)
			.orElse(IncidentState.VERIFYING);
	}

	private Review review(Incident incident, ExecutionPlan plan, List<String> skipping, String skipReason) {
		Map<String, String> atStake = this.executions.rowsAtStake(plan);
		List<StepRun> journal = this.executions.journal(incident.id());
		List<Review.CheckResult> prechecks = new ArrayList<>();
		for (PlannedStep step : plan.steps()) {
			if (step.phase() == PhaseName.PRECHECK) {
				Optional<StepRun> latest = journal.stream().filter((run) -> run.stepId().equals(step.stepId())).reduce((a, b) -> b);
				prechecks.add(new Review.CheckResult(step.stepId(), step.title(),
						(step.expect() != null) ? step.expect().describe() : (step.kind() == Step.Kind.MANUAL ? "ticked" : "recorded"),
						latest.map((run) -> (run.checkValue() != null) ? run.checkValue() : run.state().name().toLowerCase()).orElse("not run"),
						latest.map((run) -> run.state() == StepState.SUCCEEDED).orElse(false)));
			}
		}
		List<Review.Item> items = plan.steps()
			.stream()
			.filter((step) -> step.phase() != PhaseName.PRECHECK)
			.map((step) -> new Review.Item(step.phase().name(), step.stepId(), step.title(), step.kind().name(), step.statements(),
					step.destructive(), step.confirm(), atStake.get(step.stepId()), step.dynamicSql()))
			.toList();
		return new Review(incident.outcome().name(),
				incident.answers().stream().map((a) -> new Review.Answered(a.ask(), a.answer(), a.fact(), a.factValue(), a.contradicted())).toList(), prechecks, items,
				plan.planHash(), incident.runbookHash(), skipping, skipReason, plan.target(), incident.symptom(),
				incident.severity().name());
	}

	private void submit(Incident incident, Review review, Authentication actor) {
		Runbook runbook = runbook(incident);
		this.approvals.request(new Approvals.RequestSpec(incident.id(), incident.runbookId(), incident.runbookTitle(),
				incident.runbookHash(), approvalKey(incident), this.targets.get(incident.targetId()).name(),
				incident.commander(), incident.detectedAt(), incident.deadlineAt(), runbook.authorization(),
				incident.leadUnreachableReason(), review), actor);
	}

	/** Applies {@code change} to the current incident if it still has {@code version}, with its audit event. */
	private Incident transition(long id, int version, java.util.function.UnaryOperator<Incident> change,
			Authentication actor, String action, Map<String, ?> details) {
		return this.transactions.execute((status) -> {
			Incident saved = this.incidents.update(change.apply(current(id, version)));
			audit(actor, action, id, details);
			return saved;
		});
	}

	private Incident current(long id, int version) {
		Incident incident = this.incidents.get(id);
		if (incident.version() != version) {
			throw new IncidentChanged(id);
		}
		return incident;
	}

	/**
	 * Only the incident's commander drives it, whatever roles anyone else holds; handing over is
	 * explicit ({@link CommandHandover}).
	 */
	private static void requireCommander(Incident incident, Authentication actor) {
		incident.requireCommander(actor.getName());
	}

	private static void require(Incident incident, IncidentState state, String otherwise) {
		incident.requireState(state, otherwise);
	}

	private void audit(Authentication actor, String action, long id, Map<String, ?> details) {
		this.trail.record(AuditEntry.by(actor, action, details).forIncident(id));
	}

}
