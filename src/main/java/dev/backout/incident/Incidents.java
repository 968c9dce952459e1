package dev.backout.incident;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import dev.backout.approval.Approvals;
import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.audit.TrailCheckpoints;
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
import dev.backout.system.InputTooLong;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The incident from opening to its end: deciding, completing, aborting, and the one way every
 * change is made ({@link #transition}): checked against the incident's version and audited in
 * the same transaction. Asking approvers is {@link IncidentApprovals}' job; sending steps to the
 * target is {@link IncidentSteps}'.
 */
@Service
public class Incidents {

	/** The console acting on its own (applying an approved skip, moving an incident after a settlement). */
	static final Authentication SYSTEM = UsernamePasswordAuthenticationToken.authenticated(AuditEntry.SYSTEM, null, List.of());

	private final IncidentRepository incidents;

	private final RunbookCatalog catalog;

	private final Targets targets;

	private final Executions executions;

	private final Approvals approvals;

	private final AuditTrail trail;

	private final TrailCheckpoints checkpoints;

	private final Clock clock;

	private final TransactionTemplate transactions;

	private final ApplicationEventPublisher events;

	Incidents(IncidentRepository incidents, RunbookCatalog catalog, Targets targets, Executions executions,
			Approvals approvals, AuditTrail trail, TrailCheckpoints checkpoints, Clock clock,
			TransactionTemplate transactions, ApplicationEventPublisher events) {
		this.incidents = incidents;
		this.catalog = catalog;
		this.targets = targets;
		this.executions = executions;
		this.approvals = approvals;
		this.trail = trail;
		this.checkpoints = checkpoints;
		this.clock = clock;
		this.transactions = transactions;
		this.events = events;
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

	/** Incidents matching the history filters, newest first. */
	List<Incident> search(HistoryFilter filter, int limit) {
		return this.incidents.search(filter, limit);
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
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.TRIAGE, "Answers can change until the decision is confirmed.");
		DecisionTree tree = runbook(incident).decision();
		List<Answer> answers = new ArrayList<>(DecisionWalk.answer(tree, incident.answers(), questionId, answer));
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
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.TRIAGE, "The decision is already confirmed.");
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

	/** Re-pins the incident to the active runbook version: the plan changes, so approvals become stale. */
	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident switchToActiveRunbook(long id, int version, Authentication actor) {
		Incident incident = current(id, version);
		incident.requireCommander(actor.getName());
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
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.VERIFYING, "An incident closes as completed after its verification.");
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

	/**
	 * Announces a change in a transaction of its own when the caller has none, so the notifications
	 * it causes are stored (and retried) with certainty; inside a caller's transaction, they commit with it.
	 */
	void publish(String type, Incident incident, String detail) {
		this.transactions.executeWithoutResult(
				(status) -> this.events.publishEvent(IncidentEvent.of(type, incident, detail, this.clock.instant())));
	}

	/** EXECUTING while backup or execute steps remain, VERIFYING after. */
	IncidentState phaseState(long id, ExecutionPlan plan) {
		return phaseState(this.executions.next(id, plan));
	}

	/** The same, from the step to act on, found in a journal already read. */
	static IncidentState phaseState(Optional<PlannedStep> next) {
		return next
			.filter((step) -> step.phase() == PhaseName.BACKUP || step.phase() == PhaseName.EXECUTE)
			.map((step) -> IncidentState.EXECUTING)
			.orElse(IncidentState.VERIFYING);
	}

	/** Applies {@code change} to the current incident if it still has {@code version}, with its audit event. */
	Incident transition(long id, int version, UnaryOperator<Incident> change,
			Authentication actor, String action, Map<String, ?> details) {
		return this.transactions.execute((status) -> {
			Incident saved = this.incidents.update(change.apply(current(id, version)));
			audit(actor, action, id, details);
			return saved;
		});
	}

	Incident current(long id, int version) {
		Incident incident = this.incidents.get(id);
		if (incident.version() != version) {
			throw new IncidentChanged(id);
		}
		return incident;
	}

	void audit(Authentication actor, String action, long id, Map<String, ?> details) {
		this.trail.record(AuditEntry.by(actor, action, details).forIncident(id));
	}

}
