package dev.backout.incident;

import java.nio.file.Files;
import java.util.Map;

import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.context.ApplicationContext;
import org.springframework.security.core.Authentication;

/**
 * An incident of the workflow tests' runbook, driven by "commander" to awaiting approval on a
 * scratch target with a table {@code things} of three rows: the incident page then polls, as
 * the approvers' and the commander's browsers do. Not a bean: shared by the cockpit tests and
 * the load benchmark.
 */
final class AwaitingApproval {

	private AwaitingApproval() {
	}

	/** @return the incident's id */
	static long incident(ApplicationContext context, String targetName) throws Exception {
		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("incident-test.yaml"), IncidentWorkflowIntegrationTests.RUNBOOK);
		context.getBean(RunbookCatalog.class).reload(null);
		Target target = new ScratchTargets(context.getBean(DemoTarget.class), context.getBean(Targets.class)).create(targetName,
				"CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 3)");
		Incidents incidents = context.getBean(Incidents.class);
		IncidentSteps steps = context.getBean(IncidentSteps.class);
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		long id = incidents.open(new Incidents.Opening("incident-test", target.id(), "Polled", Severity.SEV2, null), commander).id();
		incidents.answer(id, incidents.get(id).version(), "broken", "Yes", commander);
		incidents.confirmDecision(id, incidents.get(id).version(), null, commander);
		steps.runPrechecks(id, commander);
		steps.runStep(id, "writes-frozen", null, Map.of(), commander);
		context.getBean(IncidentApprovals.class).requestApproval(id, incidents.get(id).version(), commander);
		return id;
	}

}
