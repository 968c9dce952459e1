package dev.backout.incident;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.execution.ExecutionPlan;
import dev.backout.execution.Executions;
import dev.backout.execution.PlannedStep;
import dev.backout.execution.StepRun;
import dev.backout.execution.StepState;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.target.Target;

import org.springframework.context.ApplicationContext;
import org.springframework.security.core.Authentication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads an imported draft as it is and drives it through a whole incident: the decision's "Yes",
 * pre-checks (all must pass), approval by the team lead, every step (destructive ones with their
 * confirmation, checklist items ticked with their inputs), until verification is done. Not a bean: shared by the import tests.
 *
 * @param stepCallNanos wall-clock time spent in the calls that run steps (for the seed benchmark)
 */
record ImportedRunbooks(RunbookCatalog catalog, Incidents incidents, IncidentApprovals incidentApprovals,
		IncidentSteps incidentSteps, Executions executions, Approvals approvals, LongAdder stepCallNanos) {

	/** The driver with the console's beans of {@code context}. */
	static ImportedRunbooks from(ApplicationContext context) {
		return new ImportedRunbooks(context.getBean(RunbookCatalog.class), context.getBean(Incidents.class),
				context.getBean(IncidentApprovals.class), context.getBean(IncidentSteps.class), context.getBean(Executions.class),
				context.getBean(Approvals.class), new LongAdder());
	}

	void load(String id, String yaml) throws Exception {
		Path runbooks = Path.of("target", "test-runbooks");
		Files.createDirectories(runbooks);
		Files.writeString(runbooks.resolve(id + ".yaml"), yaml);
		this.catalog.reload(null);
		assertThat(this.catalog.find(id)).as(String.valueOf(this.catalog.problems())).isPresent();
		assertThat(this.catalog.problems()).noneMatch((problem) -> problem.isError() && problem.file().contains(id));
	}

	/** @return the incident, verified and ready to close */
	Incident revertEndToEnd(String runbookId, String question, Target target) {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		Incident incident = this.incidents.open(new Incidents.Opening(runbookId, target.id(), "Imported rollback test", Severity.SEV2,
				null), commander);
		incident = this.incidents.answer(incident.id(), incident.version(), question, "Yes", commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), null, commander);
		long id = incident.id();
		List<StepRun> prechecks = timed(() -> this.incidentSteps.runPrechecks(id, commander));
		assertThat(prechecks).as("pre-checks")
			.allSatisfy((run) -> assertThat(run.state()).as(run.stepId() + ": " + run.error()).isEqualTo(StepState.SUCCEEDED));
		ExecutionPlan before = this.incidents.plan(this.incidents.get(id)).orElseThrow();
		before.steps().stream().filter((step) -> step.phase() == dev.backout.runbook.PhaseName.PRECHECK
				&& step.kind() == dev.backout.runbook.Step.Kind.MANUAL)
			.forEach((item) -> assertThat(timed(() -> this.incidentSteps.runStep(id, item.stepId(), null, filled(item), commander)).state())
				.as(item.stepId()).isEqualTo(StepState.SUCCEEDED));
		this.incidentApprovals.requestApproval(incident.id(), this.incidents.get(incident.id()).version(), commander);
		this.approvals.decide(incident.id(), SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED,
				"Imported plan reviewed", "demo-password-for-tests", ReviewedPlans.current(this.approvals, incident.id()));
		SignedIn.as("commander", Role.COMMANDER);
		for (int guard = 0; guard < 30; guard++) {
			ExecutionPlan plan = this.incidents.plan(this.incidents.get(incident.id())).orElseThrow();
			Optional<PlannedStep> next = this.executions.next(incident.id(), plan);
			if (next.isEmpty()) {
				break;
			}
			PlannedStep step = next.get();
			StepRun run;
			if (step.kind() == dev.backout.runbook.Step.Kind.MANUAL) {
				// A checklist item: ticked, every input filled as a person would.
				run = timed(() -> this.incidentSteps.runStep(id, step.stepId(), null, filled(step), commander));
			}
			else if (step.destructive()) {
				run = timed(() -> this.incidentSteps.runStep(id, step.stepId(), step.confirm(), Map.of(), commander));
			}
			else {
				run = timed(() -> this.incidentSteps.runRestOfPhase(id, commander)).stream().reduce((a, b) -> b).orElseThrow();
			}
			assertThat(run.state()).as(run.stepId() + ": " + run.error()).isEqualTo(StepState.SUCCEEDED);
		}
		Incident verified = this.incidents.get(incident.id());
		assertThat(verified.state()).isEqualTo(IncidentState.VERIFYING);
		return verified;
	}

	/** Runs a call that executes steps, adding its wall-clock time to {@link #stepCallNanos}. */
	private <T> T timed(Supplier<T> call) {
		long started = System.nanoTime();
		try {
			return call.get();
		}
		finally {
			this.stepCallNanos.add(System.nanoTime() - started);
		}
	}

	/** A checklist item's inputs, filled as a person would. */
	private static Map<String, String> filled(PlannedStep item) {
		Map<String, String> inputs = new java.util.LinkedHashMap<>();
		item.inputs().forEach((input) -> inputs.put(input.name(), input.options().isEmpty() ? "recorded in the test" : input.options().get(0)));
		return inputs;
	}

}
