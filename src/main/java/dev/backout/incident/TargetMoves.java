package dev.backout.incident;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.backout.approval.Approvals;
import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.StepState;
import dev.backout.target.TargetChanged;
import dev.backout.target.TargetException;

import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * A change to a target's registration is recorded on every incident still open on it. Where the
 * change moves the plan (its environment, URL or user: what approvers approved), the plan is
 * pinned to the target as it is now and the approvals given for the old one stop counting
 * ({@link Incident#replanned}). While a step is in flight on the target (running, or its outcome
 * being settled), the change is refused: settling must ask the same database.
 */
@Component
class TargetMoves {

	private static final Authentication SYSTEM = UsernamePasswordAuthenticationToken.authenticated(AuditEntry.SYSTEM, null,
			java.util.List.of());

	private final IncidentRepository incidents;

	private final Incidents workflow;

	private final Approvals approvals;

	private final Executions executions;

	private final AuditTrail trail;

	TargetMoves(IncidentRepository incidents, Incidents workflow, Approvals approvals, Executions executions, AuditTrail trail) {
		this.incidents = incidents;
		this.workflow = workflow;
		this.approvals = approvals;
		this.executions = executions;
		this.trail = trail;
	}

	@EventListener
	void onTargetChanged(TargetChanged changed) {
		for (Incident incident : this.incidents.active()) {
			if (incident.targetId() != changed.targetId()) {
				continue;
			}
			Map<String, Object> details = new LinkedHashMap<>(changed.now());
			details.put("target", changed.targetName());
			details.put("by", changed.changedBy());
			Optional<String> moved = Optional.ofNullable(incident.planHash())
				.flatMap((approved) -> this.workflow.plan(incident))
				.map(ExecutionPlan::planHash)
				.filter((now) -> !now.equals(incident.planHash()));
			if (moved.isPresent()) {
				refuseWhileStepRuns(incident, changed.targetName());
				Incident replanned = incident.replanned(moved.get());
				if (incident.state() != IncidentState.TRIAGE && incident.state() != IncidentState.PRECHECK) {
					this.approvals.withdraw(incident.id(), SYSTEM, "the target changed");
				}
				Incident saved = this.incidents.update(replanned);
				details.put("planHash", incident.planHash() + " → " + moved.get());
				details.put("state", incident.state().name() + " → " + replanned.state().name());
				if (replanned.state() == IncidentState.HALTED) {
					this.workflow.publish("HALTED", saved, "the target " + changed.targetName() + " changed since approval");
				}
			}
			this.trail.record(AuditEntry.bySystem("TARGET_CHANGED", details).forIncident(incident.id()));
		}
	}

	private void refuseWhileStepRuns(Incident incident, String targetName) {
		boolean running = this.executions.journal(incident.id()).stream().anyMatch((run) -> run.state() == StepState.STARTED);
		if (running) {
			throw new TargetException("Incident " + incident.id() + " has a step in flight on " + targetName
					+ ": change the target once the step has ended or been settled. Nothing was changed.");
		}
	}

}
