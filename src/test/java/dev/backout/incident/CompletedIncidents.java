package dev.backout.incident;

import java.nio.file.Files;
import java.util.Map;

import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approval;
import dev.backout.approval.Approvals;
import dev.backout.approval.ReviewedPlans;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Drives the small test runbook through a whole rollback, for tests about history.
 */
final class CompletedIncidents {

	private CompletedIncidents() {
	}

	static Incident complete(Incidents incidents, IncidentApprovals incidentApprovals, IncidentSteps incidentSteps,
			Approvals approvals, RunbookCatalog catalog, DemoTarget demo, Targets targets)
			throws Exception {
		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("incident-test.yaml"), IncidentWorkflowIntegrationTests.RUNBOOK);
		catalog.reload(null);
		Target target = new ScratchTargets(demo, targets).create("history-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 3)");
		try {
			Authentication commander = SignedIn.as("commander", Role.COMMANDER);
			long id = incidents.open(new Incidents.Opening("incident-test", target.id(), "History test", Severity.SEV2, null), commander).id();
			incidents.answer(id, incidents.get(id).version(), "broken", "Yes", commander);
			incidents.confirmDecision(id, incidents.get(id).version(), "Broken for everyone", commander);
			incidentSteps.runPrechecks(id, commander);
			incidentSteps.runStep(id, "writes-frozen", null, Map.of(), commander);
			incidentApprovals.requestApproval(id, incidents.get(id).version(), commander);
			approvals.decide(id, SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED, "Plan reviewed, go",
					"demo-password-for-tests", ReviewedPlans.current(approvals, id));
			SignedIn.as("commander", Role.COMMANDER);
			incidentSteps.runRestOfPhase(id, commander);
			incidentSteps.runStep(id, "drop-things", "DROP things", Map.of(), commander);
			incidentSteps.runRestOfPhase(id, commander);
			incidentSteps.runStep(id, "notified", null, Map.of("channel", "#incidents"), commander);
			return incidents.close(id, incidents.get(id).version(), "Dropped the test table; all checks passed.", commander);
		}
		finally {
			SecurityContextHolder.clearContext();
		}
	}


}
