package dev.backout.incident;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.backout.ConsoleStatements;
import dev.backout.FaultyLink;
import dev.backout.IntegrationTest;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.RequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The incident page is read every few seconds by every open browser while an incident is live,
 * so it has a budget (issue 12): at most five statements to the console's database per page view
 * or live fragment, the page's own selects sent in one execution (one round trip; the account
 * check in front of every signed-in request is one more), and no connection to the target from a
 * fragment the page polls.
 */
@IntegrationTest
class IncidentPageBudgetIntegrationTests {

	static final int BUDGET = 5;

	@Autowired
	MockMvc mvc;

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void aPageViewAndItsLiveFragmentStayWithinTheStatementBudgetAndThePollNeverReachesTheTarget() throws Exception {
		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("incident-test.yaml"), IncidentWorkflowIntegrationTests.RUNBOOK);
		this.catalog.reload(null);
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		String suffix = String.valueOf(System.nanoTime() % 1_000_000);
		Target direct = scratch.create("budget-" + suffix, "CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 3)");
		try (FaultyLink link = ScratchTargets.linkTo(direct)) {
			Target target = scratch.through(link, direct, "budget-linked-" + suffix);
			Authentication commander = SignedIn.as("commander", Role.COMMANDER);
			long id = this.incidents.open(new Incidents.Opening("incident-test", target.id(), "Budget", Severity.SEV2, null), commander).id();
			this.incidents.answer(id, this.incidents.get(id).version(), "broken", "Yes", commander);
			this.incidents.confirmDecision(id, this.incidents.get(id).version(), null, commander);
			this.incidentSteps.runPrechecks(id, commander);
			this.incidentSteps.runStep(id, "writes-frozen", null, Map.of(), commander);
			this.incidentApprovals.requestApproval(id, this.incidents.get(id).version(), commander);
			assertWithinBudget(id, link, "awaiting approval");

			this.approvals.decide(id, SignedIn.as("lead", Role.TEAM_LEAD), Role.TEAM_LEAD, Approval.Decision.APPROVED, "Go",
					IncidentWorkflowIntegrationTests.PASSWORD, ReviewedPlans.current(this.approvals, id));
			SignedIn.as("commander", Role.COMMANDER);
			this.incidentSteps.runStep(id, "add-column", null, Map.of(), commander);
			assertWithinBudget(id, link, "a destructive step next");
			SignedIn.as("commander", Role.COMMANDER);
			this.incidentSteps.runStep(id, "drop-things", "DROP things", Map.of(), commander);
			this.incidentSteps.runRestOfPhase(id, commander);
			this.incidentSteps.runStep(id, "notified", null, Map.of("channel", "#incidents"), commander);
			this.incidents.close(id, this.incidents.get(id).version(), "Budget test done", commander);
			assertWithinBudget(id, link, "completed, with its schema diff");
		}
	}

	private void assertWithinBudget(long id, FaultyLink link, String when) throws Exception {
		SecurityContextHolder.clearContext();
		List<String> pageAndSession = ConsoleStatements.during(() -> perform(get("/incidents/{id}", id)));
		int connections = link.connections();
		List<String> fragmentAndSession = ConsoleStatements.during(() -> perform(get("/incidents/{id}", id).header("HX-Request", "true")));
		// The session store's own statements (Spring Session JDBC: read the session, note the access) are
		// the same for every page; they are counted apart, and printed.
		List<String> page = pageAndSession.stream().filter((sql) -> !sql.toUpperCase().contains("SPRING_SESSION")).toList();
		List<String> fragment = fragmentAndSession.stream().filter((sql) -> !sql.toUpperCase().contains("SPRING_SESSION")).toList();
		System.out.printf("Incident page, %s: %d statements in %d round trips for the page, %d in %d for the live fragment "
				+ "(plus %d and %d for the session)%n", when, statements(page).size(), page.size(), statements(fragment).size(),
				fragment.size(), pageAndSession.size() - page.size(), fragmentAndSession.size() - fragment.size());
		assertThat(statements(page)).as("statements for the page, %s", when).hasSizeLessThanOrEqualTo(BUDGET);
		assertThat(statements(fragment)).as("statements for the live fragment, %s", when).hasSizeLessThanOrEqualTo(BUDGET);
		// Each execution is one round trip: the page's selects are sent together.
		assertThat(page).as("round trips for the page, %s", when).hasSize(1);
		assertThat(fragment).as("round trips for the live fragment, %s", when).hasSize(1);
		assertThat(link.connections()).as("connections to the target from the live fragment, %s", when).isEqualTo(connections);
	}

	/** The statements of the executions: several selects sent at once are one execution. */
	private static List<String> statements(List<String> executions) {
		return executions.stream().flatMap((sql) -> Arrays.stream(sql.split("\n;\n"))).toList();
	}

	private void perform(RequestBuilder request) {
		try {
			this.mvc.perform(((org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder) request)
				.with(user("commander").roles("COMMANDER"))).andExpect(status().isOk());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
