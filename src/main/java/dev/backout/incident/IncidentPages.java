package dev.backout.incident;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import dev.backout.approval.Approvals;
import dev.backout.approval.Approvals.ApprovalView;
import dev.backout.database.ConsoleQuery;
import dev.backout.database.OneTrip;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.Rehearsal;
import dev.backout.execution.StepRun;
import dev.backout.runbook.Runbook;
import dev.backout.target.SchemaSnapshots;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.stereotype.Component;

/**
 * Reads the incident page's model from the console's database in one round trip (the incident
 * with its command offer and schema snapshots, its target, its journal, its approval request with
 * decisions: four selects sent at once, no transaction) and nothing from the target. The runbook,
 * decision walk and plan come from memory. The account check in front of every request is a
 * statement of its own.
 */
@Component
class IncidentPages {

	private final IncidentRepository incidents;

	private final Incidents workflow;

	private final OneTrip oneTrip;

	private final Executions executions;

	private final Approvals approvals;

	private final Rehearsals rehearsals;

	private final Clock clock;

	IncidentPages(IncidentRepository incidents, Incidents workflow, OneTrip oneTrip, Executions executions,
			Approvals approvals, Rehearsals rehearsals, Clock clock) {
		this.rehearsals = rehearsals;
		this.incidents = incidents;
		this.workflow = workflow;
		this.oneTrip = oneTrip;
		this.executions = executions;
		this.approvals = approvals;
		this.clock = clock;
	}

	IncidentCockpit read(long id, String viewer) {
		ConsoleQuery<List<StepRun>> journalQuery = Executions.journalQuery(id);
		ConsoleQuery<Optional<IncidentRepository.Page>> pageQuery = this.incidents.pageQuery(id);
		ConsoleQuery<Optional<Target>> targetQuery = Targets.ofIncidentQuery(id);
		ConsoleQuery<Optional<ApprovalView>> approvalQuery = this.approvals.viewQuery(id);
		OneTrip.Results read = this.oneTrip.read(List.of(journalQuery, pageQuery, targetQuery, approvalQuery));
		List<StepRun> journal = read.of(journalQuery);
		IncidentRepository.Page page = read.of(pageQuery).orElseThrow(() -> IncidentRepository.noIncident(id));
		Incident incident = page.incident();
		Target target = read.of(targetQuery).orElseThrow(() -> Targets.noTargetOf(id));
		ApprovalView approval = read.of(approvalQuery).orElse(null);
		ExecutionPlan plan = this.workflow.plan(incident, target).orElse(null);
		PlannedStep next = (plan != null) ? Executions.next(plan, journal).orElse(null) : null;
		List<StepRow> rows = (plan != null) ? plan.steps()
			.stream()
			.map((step) -> new StepRow(step, journal.stream().filter((run) -> run.stepId().equals(step.stepId())).toList(),
					next != null && next.stepId().equals(step.stepId())))
			.toList() : List.of();
		boolean covered = approval != null && plan != null && incident.planHash() != null
				&& approval.approvedFor(incident.runbookHash(), incident.approvalKey())
				&& plan.planHash().equals(incident.planHash());
		List<SchemaSnapshots.Change> changes = (page.schemaBefore() != null && page.schemaAfter() != null)
				? SchemaSnapshots.diff(page.schemaBefore(), page.schemaAfter()) : null;
		Runbook runbook = this.workflow.runbook(incident);
		Rehearsal rehearsal = (page.rehearsal() != null) ? Rehearsals.read(page.rehearsal()) : null;
		return new IncidentCockpit(incident, runbook, target, this.workflow.walk(incident),
				this.workflow.newerRunbook(incident).orElse(null), plan, rows, next, approval, page.commandOfferedTo(), changes,
				covered, this.clock.instant(), viewer, this.executions.waitOf(id).orElse(null),
				new IncidentCockpit.Rehearsing(rehearsal, this.rehearsals.policy(runbook, target),
						IncidentCockpit.Rehearsing.targets(page.rehearsalTargets())));
	}

}
