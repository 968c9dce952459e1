package dev.backout.incident;


import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approvals;
import dev.backout.approval.Reviewed;
import dev.backout.approval.ReviewedPlans;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The password again before approving: freshness belongs to the session that signed in, not to
 * the person (ASVS 4.0.3 V3.7.1), and wrong passwords count towards the lockout, are audited
 * (V2.2.1, V7.2.1) and keep what the approver typed.
 */
@IntegrationTest
class ReauthenticationIntegrationTests {

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

	@Autowired
	MockMvc mvc;

	@Autowired
	JdbcClient jdbc;

	InterruptedSteps steps;

	Target target;

	@BeforeEach
	void incidentAwaitingApproval() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		this.target = InterruptedSteps.prepare(this.catalog, scratch, "reauth-" + System.nanoTime() % 1_000_000);
		this.steps = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch);
	}

	@AfterEach
	void cleanUp() throws Exception {
		SecurityContextHolder.clearContext();
		InterruptedSteps.forget();
	}

	@Test
	void aFreshSignInElsewhereDoesNotLetATokenApproveWithoutThePassword() throws Exception {
		Incident incident = this.steps.awaitingApproval(this.target);
		SecurityContextHolder.clearContext();
		// Sessions live in the console database and are found by their cookie, as a browser's are.
		jakarta.servlet.http.Cookie fresh = this.mvc.perform(formLogin().user("lead").password(InterruptedSteps.PASSWORD))
			.andReturn().getResponse().getCookie("SESSION");
		MvcResult created = this.mvc.perform(post("/profile/tokens").param("name", "reauth test").cookie(fresh).with(csrf()))
			.andReturn();
		String token = (String) created.getFlashMap().get("newToken");
		Reviewed seen = ReviewedPlans.current(this.approvals, incident.id());

		this.mvc.perform(post("/api/approvals/{id}/approve", incident.id()).header("Authorization", "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"role\": \"TEAM_LEAD\", \"comment\": \"ok\", \"planHash\": \"%s\", \"runbookVersion\": \"%s\"}"
				.formatted(seen.planHash(), seen.runbookVersion())))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(containsString("Enter your password")));

		// The session that just signed in approves without it.
		this.mvc.perform(post("/approvals/{id}", incident.id()).cookie(fresh).with(csrf()).param("decision", "APPROVED")
			.param("role", "TEAM_LEAD").param("comment", "ok").param("planHash", seen.planHash())
			.param("runbookVersion", seen.runbookVersion()))
			.andExpect(flash().attribute("message", "Approved: the incident may execute."));
	}

	@Test
	void aWrongPasswordSaysSoKeepsTheCommentCountsTowardsLockoutAndIsAudited() throws Exception {
		Incident incident = this.steps.awaitingApproval(this.target);
		Reviewed seen = ReviewedPlans.current(this.approvals, incident.id());
		int failuresBefore = failedLogins("lead");

		this.mvc.perform(post("/approvals/{id}", incident.id()).with(user("lead").roles("TEAM_LEAD")).with(csrf())
			.param("decision", "APPROVED").param("role", "TEAM_LEAD").param("comment", "Checked the rows at stake twice")
			.param("password", "not-the-password").param("planHash", seen.planHash())
			.param("runbookVersion", seen.runbookVersion()))
			.andExpect(flash().attribute("error", containsString("Wrong password")))
			.andExpect(flash().attribute("comment", "Checked the rows at stake twice"));

		assertThat(failedLogins("lead")).isEqualTo(failuresBefore + 1);
		assertThat(this.jdbc.sql("select count(*) from audit_event where actor = 'lead' and action = 'REAUTHENTICATION_FAILED'")
			.query(Long.class).single()).isPositive();
		assertThat(this.approvals.decisions(incident.id())).isEmpty();
		this.jdbc.sql("update console_user set failed_logins = 0 where username = 'lead'").update();
	}

	private int failedLogins(String username) {
		return this.jdbc.sql("select failed_logins from console_user where username = :u").param("u", username)
			.query(Integer.class).single();
	}

}
