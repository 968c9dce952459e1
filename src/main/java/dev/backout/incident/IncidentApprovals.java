package dev.backout.incident;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.Rehearsal;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.PhaseName;
import dev.backout.runbook.Runbook;
import dev.backout.runbook.Step;
import dev.backout.system.InputTooLong;
import dev.backout.target.Target;
import dev.backout.target.TargetException;
import dev.backout.target.Targets;

import org.springframework.context.event.EventListener;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The incident's side of the four-eyes gate: requesting approval of the exact plan (and of a
 * skip), revising after a rejection, and what the approvers' decision does to the incident. It
 * also answers, for every path that sends a step, whether the approvals still cover the plan.
 */
@Service
public class IncidentApprovals {

	private final Incidents incidents;

	private final IncidentRepository repository;

	private final Executions executions;

	private final Approvals approvals;

	private final Targets targets;

	private final AuditTrail trail;

	private final Rehearsals rehearsals;

	private final Clock clock;

	private final IncidentMetrics metrics;

	IncidentApprovals(Incidents incidents, IncidentRepository repository, Executions executions, Approvals approvals,
			Targets targets, AuditTrail trail, Rehearsals rehearsals, Clock clock, IncidentMetrics metrics) {
		this.metrics = metrics;
		this.rehearsals = rehearsals;
		this.clock = clock;
		this.incidents = incidents;
		this.repository = repository;
		this.executions = executions;
		this.approvals = approvals;
		this.targets = targets;
		this.trail = trail;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	@Transactional
	public Incident recordLeadUnreachable(long id, int version, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = this.incidents.current(id, version);
		incident.requireCommander(actor.getName());
		if (!incident.state().awaitsApprovers()) {
			throw new IncidentRefused("The team lead's availability matters only while approval is pending.");
		}
		if (reason == null || reason.isBlank()) {
			throw new IncidentRefused("Say how you tried to reach the team lead: the fallback approver depends on it.");
		}
		Incident saved = this.repository.update(incident.withLeadUnreachable(reason.trim()));
		this.approvals.leadUnreachable(id, reason.trim());
		this.incidents.audit(actor, "TEAM_LEAD_UNREACHABLE", id, Map.of("reason", reason.trim()));
		return saved;
	}

	@PreAuthorize("hasRole('COMMANDER')")
	public Incident requestApproval(long id, int version, Authentication actor) {
		return requestApproval(id, version, null, actor);
	}

	/**
	 * Requests approval of the plan as it is now.
	 *
	 * @param withoutRehearsal why the commander asks without the rehearsal the runbook or the
	 * target's environment requires (the approvers read it); null when it passed one
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public Incident requestApproval(long id, int version, String withoutRehearsal, Authentication actor) {
		InputTooLong.atMost(withoutRehearsal, InputTooLong.TEXT, "reason to request approval without a rehearsal");
		Incident incident = this.incidents.get(id);
		incident.requireCommander(actor.getName());
		if (incident.state() == IncidentState.HALTED && approvalsCoverPlan(incident)) {
			throw new IncidentRefused("The approvals still cover this plan: retry the step, ask to skip it, or abort.");
		}
		if (incident.state() != IncidentState.HALTED) {
			incident.requireState(IncidentState.PRECHECK, "Approval is requested once, after the pre-checks.");
		}
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
		Optional<PlannedStep> next = this.executions.next(id, plan);
		if (next.isPresent() && next.get().phase() == PhaseName.PRECHECK) {
			throw new IncidentRefused("Finish the pre-checks first: \"" + next.get().title() + "\" has not passed"
					+ (next.get().kind() == Step.Kind.MANUAL ? " (tick it)." : " (run the pre-checks)."));
		}
		Target target = this.targets.get(incident.targetId());
		String databaseKey = databaseKey(target);
		refuseWhileBusy(id, target, databaseKey);
		// A plan put again after it halted cannot be rehearsed: it is partly applied.
		Review.Rehearsed rehearsed = (incident.state() == IncidentState.PRECHECK)
				? rehearsal(incident, plan, target, withoutRehearsal) : null;
		Review review = review(incident, plan, List.of(), null, rehearsed);
		Map<String, Object> details = new LinkedHashMap<>(Map.of("planHash", plan.planHash(), "database", databaseKey));
		if (rehearsed != null && rehearsed.result() != null) {
			details.put("rehearsal", rehearsed.result());
		}
		if (rehearsed != null && rehearsed.withoutReason() != null) {
			details.put("withoutRehearsal", rehearsed.withoutReason());
		}
		Incident requested = this.incidents.transition(id, version, (current) -> {
			submit(current, review, actor);
			return current.withDatabaseKey(databaseKey).withState(IncidentState.AWAITING_APPROVAL);
		}, actor, "INCIDENT_AWAITING_APPROVAL", details);
		this.incidents.publish("APPROVAL_REQUESTED", requested, "plan " + plan.planHash());
		return requested;
	}

	/**
	 * A rejection is not the end: the commander revises (answers, decision, runbook version, the
	 * pre-checks) and requests approval again. The incident goes back to deciding with its answers
	 * kept; the next request is a new round, in which every approver decides afresh.
	 */
	@PreAuthorize("hasRole('COMMANDER')")
	public Incident revise(long id, int version, Authentication actor) {
		Incident incident = this.incidents.current(id, version);
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
		return this.incidents.transition(id, version, (current) -> current.revise().incident(), actor, revised.event(), details);
	}

	/** The gate decided: the incident may execute (or, for a skip, the step is skipped). */
	@EventListener
	public void onApproved(IncidentApproved approved) {
		Incident incident = this.incidents.get(approved.incidentId());
		if (incident.state() != IncidentState.AWAITING_APPROVAL || !incident.approvalKey().equals(approved.approvalKey())) {
			return;
		}
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
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
				this.executions.skip(incident.id(), plan, stepId, "skip approved", Incidents.SYSTEM);
				next = this.incidents.phaseState(incident.id(), plan);
			}
		}
		try {
			this.repository.update(incident.withState(next));
		}
		catch (IncidentRefused busy) {
			throw new ApprovalRefused(busy.getMessage() + " Nothing was approved; approve once it has ended.");
		}
		this.trail.record(AuditEntry.bySystem("INCIDENT_APPROVED", Map.of("approvalKey", approved.approvalKey(), "state", next.name()))
			.forIncident(incident.id()));
		this.approvals.find(incident.id())
			.ifPresent((request) -> this.metrics.approvedAfter(Duration.between(request.requestedAt(), this.clock.instant())));
		this.incidents.publish("APPROVED", this.incidents.get(incident.id()), "approval key " + approved.approvalKey());
	}

	@EventListener
	public void onRejected(IncidentRejected rejected) {
		Incident incident = this.incidents.get(rejected.incidentId());
		incident.reject().ifPresent((transition) -> {
			this.repository.update(transition.incident());
			this.trail.record(AuditEntry.bySystem(transition.event(), Map.of("by", rejected.approver(), "comment", rejected.comment()))
				.forIncident(incident.id()));
			this.incidents.publish("REJECTED", transition.incident(), rejected.approver() + ": " + rejected.comment());
		});
	}

	/** Asks to skip the failed step: needs a reason and a fresh approval of the changed plan. */
	@PreAuthorize("hasRole('COMMANDER')")
	public Incident requestSkip(long id, int version, String stepId, String reason, Authentication actor) {
		InputTooLong.atMost(reason, InputTooLong.TEXT, "reason");
		Incident incident = this.incidents.current(id, version);
		incident.requireCommander(actor.getName());
		incident.requireState(IncidentState.HALTED, "Only the step that halted the incident can be skipped.");
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
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
		Review review = review(withSkip, plan, skipped, reason.trim(), null);
		return this.incidents.transition(id, version, (current) -> {
			Incident next = current.withSkipped(skipped, IncidentState.AWAITING_APPROVAL);
			submit(next, review, actor);
			return next;
		}, actor, "SKIP_REQUESTED", Map.of("step", stepId, "reason", reason.trim()));
	}

	/** Whether the approvals given still cover the plan as it is now (not after the target moved, say). */
	public boolean approvalsCoverPlan(Incident incident) {
		return incident.planHash() != null && this.approvals.approvedFor(incident.id(), incident.runbookHash(), incident.approvalKey())
				&& this.incidents.plan(incident).map(ExecutionPlan::planHash).filter(incident.planHash()::equals).isPresent();
	}

	/** The plan, if the incident's approvals cover it as it is now (runbook version, plan, skips). */
	ExecutionPlan approvedPlan(Incident incident) {
		if (!this.approvals.approvedFor(incident.id(), incident.runbookHash(), incident.approvalKey())) {
			throw new IncidentRefused("The approvals of this incident do not cover its current plan and runbook version.");
		}
		ExecutionPlan plan = this.incidents.plan(incident).orElseThrow();
		if (!plan.planHash().equals(incident.planHash())) {
			throw new IncidentRefused("The plan changed since it was approved; request approval again.");
		}
		return plan;
	}

	private String databaseKey(Target target) {
		try {
			return this.targets.databaseKey(target);
		}
		catch (TargetException ex) {
			throw new IncidentRefused(ex.getMessage());
		}
	}

	/** One incident holds a database from approval to its end, whichever registration reaches it. */
	private void refuseWhileBusy(long id, Target target, String databaseKey) {
		this.repository.holding(databaseKey, target.id(), id).ifPresent((holder) -> {
			throw new IncidentRefused("Target " + target.name() + " is busy with incident " + holder.id() + " ("
					+ holder.state().label().toLowerCase() + ") on the same database: one incident runs on a database at a time.");
		});
	}

	/**
	 * The plan's latest passing rehearsal for the approvers, or the commander's reason to go
	 * without one; refused when the policy requires one and neither is there.
	 */
	private Review.Rehearsed rehearsal(Incident incident, ExecutionPlan plan, Target target, String withoutRehearsal) {
		Rehearsals.Policy policy = this.rehearsals.policy(this.incidents.runbook(incident), target);
		Optional<Rehearsal> passed = this.rehearsals.passed(incident.id(), plan.planHash(), this.clock.instant().minus(policy.within()));
		String reason = (withoutRehearsal == null || withoutRehearsal.isBlank()) ? null : withoutRehearsal.trim();
		if (policy.required() && passed.isEmpty() && reason == null) {
			throw new IncidentRefused(policy.why() + " within " + dev.backout.runbook.Durations.words(policy.within())
					+ ": rehearse it, or give a reason to request approval without one (the approvers read it).");
		}
		return new Review.Rehearsed(policy.required(), passed.map(Rehearsal::summary).orElse(null),
				passed.map(Rehearsal::startedAt).orElse(null),
				passed.map((r) -> r.steps().stream().map(Rehearsal.Step::describe).toList()).orElse(List.of()),
				passed.isEmpty() ? reason : null);
	}

	private Review review(Incident incident, ExecutionPlan plan, List<String> skipping, String skipReason,
			Review.Rehearsed rehearsed) {
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
				incident.severity().name(), rehearsed);
	}

	private void submit(Incident incident, Review review, Authentication actor) {
		Runbook runbook = this.incidents.runbook(incident);
		this.approvals.request(new Approvals.RequestSpec(incident.id(), incident.runbookId(), incident.runbookTitle(),
				incident.runbookHash(), incident.approvalKey(), this.targets.get(incident.targetId()).name(),
				incident.commander(), incident.detectedAt(), incident.deadlineAt(), runbook.authorization(),
				incident.leadUnreachableReason(), review), actor);
	}

}
