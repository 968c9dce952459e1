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

import dev.backout.approval.Approvals;
import dev.backout.approval.IncidentApproved;
import dev.backout.approval.IncidentRejected;
import dev.backout.approval.Review;
import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.DecisionTree;
import dev.backout.runbook.LoadedRunbook;
import dev.backout.runbook.Outcome;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.runbook.Step;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The incident workflow. Every transition is checked against the state machine and the
 * incident's version, and audited in the same transaction. Every action that sends anything to
 * the target asks the approval gate again, whatever the path (page, API, retry, resume).
 * Steps run outside the console transaction: their journal commits on its own.
 */
@Service
public class Incidents {

	private final IncidentRepository incidents;

	private final RunbookCatalog catalog;

	private final Targets targets;

	private final Executions executions;

	private final Approvals approvals;

	private final SchemaSnapshots snapshots;

	private final AuditTrail trail;

	private final Clock clock;

	private final TransactionTemplate transactions;

	private final ApplicationEventPublisher events;

	/** The console acting on its own (applying an approved skip). */
	private static final Authentication SYSTEM = UsernamePasswordAuthenticationToken.authenticated(AuditEntry.SYSTEM, null,
			List.of());

	Incidents(IncidentRepository incidents, RunbookCatalog catalog, Targets targets, Executions executions,
			Approvals approvals, SchemaSnapshots snapshots, AuditTrail trail, Clock clock, TransactionTemplate transactions,
			ApplicationEventPublisher events) {
		this.transactions = transactions;
		this.events = events;
		this.incidents = incidents;
		this.catalog = catalog;
		this.targets = targets;
		this.executions = executions;
		this.approvals = approvals;
		this.snapshots = snapshots;
		this.trail = trail;
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
				null, null, List.of(), null, null, null, 0);
		long id = this.incidents.insert(draft);
		audit(commander, "INCIDENT_OPENED", id, Map.of("runbook", loaded.id(), "runbookVersion", loaded.hash(), "target",
				target.name(), "severity", opening.severity().name(), "symptom", opening.symptom().trim(), "detectedAt",
				detected.toString()));
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
		return Optional.of(this.executions.prepare(runbook(incident), incident.runbookHash(), incident.outcome(),
				incident.partialSteps(), this.targets.get(incident.targetId())));
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
		Incident incident = current(id, version);
		require(incident, IncidentState.TRIAGE, "Answers can change until the decision is confirmed.");
		DecisionTree tree = runbook(incident).decision();
		List<Answer> answers = DecisionWalk.answer(tree, incident.answers(), questionId, answer);
		Incident saved = this.incidents.update(incident.withAnswers(answers));
		Answer given = answers.get(answers.size() - 1);
		audit(actor, "DECISION_ANSWERED", id, Map.of("question", given.ask(), "answer", given.answer()));
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident confirmDecision(long id, int version, String reason, Authentication actor) {
		Incident incident = current(id, version);
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
			return closed;
		}
		Incident decided = incident.withDecision(outcome, ending.steps(), (reason != null && !reason.isBlank()) ? reason.trim() : null,
				null, IncidentState.PRECHECK);
		String planHash = plan(decided).orElseThrow().planHash();
		details.put("partialSteps", ending.steps());
		details.put("planHash", planHash);
		Incident saved = this.incidents.update(decided.withDecision(outcome, ending.steps(), decided.decisionReason(), planHash,
				IncidentState.PRECHECK));
		audit(actor, "DECISION_CONFIRMED", id, details);
		return saved;
	}

	/** Runs every pre-check (READ ONLY) and returns their results; pre-checks are evidence, not gates. */
	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runPrechecks(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		require(incident, IncidentState.PRECHECK, "Pre-checks run before approval is requested.");
		return this.executions.runChecks(id, plan(incident).orElseThrow(), PhaseName.PRECHECK, actor);
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident recordLeadUnreachable(long id, int version, String reason, Authentication actor) {
		Incident incident = current(id, version);
		if (incident.state() != IncidentState.PRECHECK && incident.state() != IncidentState.AWAITING_APPROVAL) {
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
		require(incident, IncidentState.PRECHECK, "Approval is requested once, after the pre-checks.");
		ExecutionPlan plan = plan(incident).orElseThrow();
		Optional<PlannedStep> next = this.executions.next(id, plan);
		if (next.isPresent() && next.get().phase() == PhaseName.PRECHECK) {
			throw new IncidentRefused("Finish the pre-checks first: \"" + next.get().title() + "\" has not passed"
					+ (next.get().kind() == Step.Kind.MANUAL ? " (tick it)." : " (run the pre-checks)."));
		}
		Review review = review(incident, plan, List.of(), null);
		Incident requested = transition(id, version, (current) -> {
			submit(current, review, actor);
			return current.withState(IncidentState.AWAITING_APPROVAL);
		}, actor, "INCIDENT_AWAITING_APPROVAL", Map.of("planHash", plan.planHash()));
		publish("APPROVAL_REQUESTED", requested, "plan " + plan.planHash());
		return requested;
	}

	/** The gate decided: the incident may execute (or, for a skip, the step is skipped). */
	@EventListener
	public void onApproved(IncidentApproved approved) {
		Incident incident = this.incidents.get(approved.incidentId());
		if (incident.state() != IncidentState.AWAITING_APPROVAL || !approvalKey(incident).equals(approved.approvalKey())) {
			return;
		}
		ExecutionPlan plan = plan(incident).orElseThrow();
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
		this.incidents.update(incident.withState(next));
		this.trail.record(AuditEntry.bySystem("INCIDENT_APPROVED", Map.of("approvalKey", approved.approvalKey(), "state", next.name()))
			.forIncident(incident.id()));
	}

	@EventListener
	public void onRejected(IncidentRejected rejected) {
		Incident incident = this.incidents.get(rejected.incidentId());
		if (incident.state() == IncidentState.AWAITING_APPROVAL) {
			this.incidents.update(incident.withState(IncidentState.REJECTED));
			this.trail.record(AuditEntry.bySystem("INCIDENT_REJECTED", Map.of("by", rejected.approver(), "comment", rejected.comment()))
				.forIncident(incident.id()));
		}
	}

	/**
	 * Runs the step the commander saw as next (destructive steps with the typed confirmation), or,
	 * before approval, ticks a pre-check checklist item.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public StepRun runStep(long id, String stepId, String confirmation, Map<String, String> inputs, Authentication actor) {
		Incident incident = this.incidents.get(id);
		if (incident.state() == IncidentState.PRECHECK) {
			return tickPrecheck(incident, stepId, inputs, actor);
		}
		ExecutionPlan plan = gate(incident);
		plan.step(stepId).orElseThrow(() -> new IncidentRefused("No step '" + stepId + "' in this plan."));
		beforeFirstExecution(incident, plan, actor);
		StepRun run = this.executions.runStep(id, plan, stepId, actor, confirmation, inputs);
		afterRun(id, plan, List.of(run), actor);
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
		return this.executions.runStep(id, plan, stepId, actor, null, inputs);
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public List<StepRun> runRestOfPhase(long id, Authentication actor) {
		Incident incident = this.incidents.get(id);
		ExecutionPlan plan = gate(incident);
		beforeFirstExecution(incident, plan, actor);
		List<StepRun> runs = this.executions.runRestOfPhase(id, plan, actor);
		afterRun(id, plan, runs, actor);
		return runs;
	}

	/** Runs the step that failed once more (an explicit retry). */
	@PreAuthorize("hasRole('COMMANDER')")
	public StepRun retry(long id, int version, Authentication actor) {
		Incident incident = current(id, version);
		require(incident, IncidentState.HALTED, "Only a halted incident is retried.");
		ExecutionPlan plan = plan(incident).orElseThrow();
		PlannedStep failed = this.executions.next(id, plan).orElseThrow();
		transition(id, version, (current) -> current.withState(phaseState(id, plan)), actor, "INCIDENT_RESUMED",
				Map.of("retrying", failed.stepId()));
		return runStep(id, failed.stepId(), failed.confirm(), Map.of(), actor);
	}

	/** Asks to skip the failed step: needs a reason and a fresh approval of the changed plan. */
	@PreAuthorize("hasRole('COMMANDER')")
	public Incident requestSkip(long id, int version, String stepId, String reason, Authentication actor) {
		Incident incident = current(id, version);
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
		Incident incident = current(id, version);
		if (!incident.state().abortable()) {
			throw new IncidentRefused("An incident that is " + incident.state().label().toLowerCase()
					+ " cannot be aborted" + (incident.state().executing() ? ": halt it first (cancel the running step)." : "."));
		}
		if (reason == null || reason.isBlank()) {
			throw new IncidentRefused("Say why the incident is aborted.");
		}
		Incident saved = this.incidents.update(incident.closed(IncidentState.ABORTED, reason.trim(), this.clock.instant()));
		this.approvals.withdraw(id, actor, "incident aborted");
		audit(actor, "INCIDENT_ABORTED", id, Map.of("reason", reason.trim(), "from", incident.state().name()));
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public boolean cancel(long id, Authentication actor) {
		return this.executions.cancel(id, actor);
	}

	/** Re-pins the incident to the active runbook version: the plan changes, so approvals become stale. */
	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident switchToActiveRunbook(long id, int version, Authentication actor) {
		Incident incident = current(id, version);
		LoadedRunbook active = newerRunbook(incident)
			.orElseThrow(() -> new IncidentRefused("The incident already uses the active version of its runbook."));
		if (incident.state() != IncidentState.TRIAGE && incident.state() != IncidentState.PRECHECK
				&& incident.state() != IncidentState.AWAITING_APPROVAL && incident.state() != IncidentState.APPROVED) {
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
		Incident incident = current(id, version);
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
		return completed;
	}

	/** Marks incidents whose decision deadline passed: visible and audited, never approved by it. */
	@Scheduled(fixedDelayString = "${backout.incidents.overdue-check:30s}")
	@Transactional
	public void markOverdue() {
		for (long id : this.incidents.newlyOverdue(this.clock.instant())) {
			this.trail.record(AuditEntry.bySystem("INCIDENT_OVERDUE", Map.of("deadline", "passed before approval")).forIncident(id));
		}
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
		if (!this.approvals.approvedFor(incident.id(), incident.runbookHash(), approvalKey(incident))) {
			throw new IncidentRefused("The approvals of this incident do not cover its current plan and runbook version.");
		}
		ExecutionPlan plan = plan(incident).orElseThrow();
		if (!plan.planHash().equals(incident.planHash())) {
			throw new IncidentRefused("The plan changed since it was approved; request approval again.");
		}
		return plan;
	}

	private void beforeFirstExecution(Incident incident, ExecutionPlan plan, Authentication actor) {
		if (incident.state() == IncidentState.APPROVED) {
			if (this.snapshots.find(incident.id(), SchemaSnapshots.Kind.BEFORE).isEmpty()) {
				this.executions.snapshot(incident.id(), plan, SchemaSnapshots.Kind.BEFORE);
			}
			transition(incident.id(), incident.version(), (current) -> current.withState(IncidentState.EXECUTING), actor,
					"INCIDENT_EXECUTING", Map.of("planHash", plan.planHash()));
		}
	}

	private void afterRun(long id, ExecutionPlan plan, List<StepRun> runs, Authentication actor) {
		Incident incident = this.incidents.get(id);
		Optional<StepRun> failed = runs.stream().filter((run) -> run.state() == StepState.FAILED).findFirst();
		if (failed.isPresent() && incident.state().executing()) {
			Incident halted = transition(id, incident.version(), (current) -> current.withState(IncidentState.HALTED), actor,
					"INCIDENT_HALTED", Map.of("step", failed.get().stepId(), "error", String.valueOf(failed.get().error())));
			publish("HALTED", halted, failed.get().stepId() + ": " + failed.get().error());
			return;
		}
		IncidentState phaseState = phaseState(id, plan);
		if (incident.state() == IncidentState.EXECUTING && phaseState == IncidentState.VERIFYING) {
			transition(id, incident.version(), (current) -> current.withState(IncidentState.VERIFYING), actor,
					"INCIDENT_VERIFYING", Map.of());
		}
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
					step.destructive(), step.confirm(), atStake.get(step.stepId())))
			.toList();
		return new Review(incident.outcome().name(),
				incident.answers().stream().map((a) -> new Review.Answered(a.ask(), a.answer())).toList(), prechecks, items,
				plan.planHash(), incident.runbookHash(), skipping, skipReason);
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

	private static void require(Incident incident, IncidentState state, String otherwise) {
		if (incident.state() != state) {
			throw new IncidentRefused(otherwise + " (The incident is " + incident.state().label().toLowerCase() + ".)");
		}
	}

	private void audit(Authentication actor, String action, long id, Map<String, ?> details) {
		this.trail.record(AuditEntry.by(actor, action, details).forIncident(id));
	}

}
