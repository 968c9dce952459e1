package dev.backout.incident;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.approval.Approvals;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.authentication;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;

/**
 * An approver signed in by the company's provider has no password here: a session older than five
 * minutes is sent to sign in again at the provider, and a decision sent anyway records nothing.
 */
@IntegrationTest
class ProviderApproverIntegrationTests {

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
	JdbcClient jdbc;

	@Autowired
	MockMvc mvc;

	@AfterEach
	void signOut() {
		SecurityContextHolder.clearContext();
	}

	@Test
	void aStaleProviderSessionIsSentToSignInAgainAndItsDecisionRecordsNothing() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = InterruptedSteps.prepare(this.catalog, scratch, "oidc-" + System.nanoTime() % 1_000_000);
		Incident incident = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch)
			.awaitingApproval(target);
		SecurityContextHolder.clearContext();
		OAuth2AuthenticationToken stale = signedInAtProvider("dana", Instant.now().minusSeconds(3600));
		OAuth2AuthenticationToken fresh = signedInAtProvider("dana", Instant.now().minusSeconds(30));

		this.mvc.perform(get("/approvals/{id}", incident.id()).with(authentication(stale)))
			.andExpect(content().string(containsString("sign in again with your company account")))
			.andExpect(content().string(containsString("/oauth2/authorization/company?again=true")))
			.andExpect(content().string(not(containsString("name=\"password\""))));
		this.mvc.perform(get("/approvals/{id}", incident.id()).with(authentication(fresh)))
			.andExpect(content().string(not(containsString("sign in again"))))
			.andExpect(content().string(not(containsString("name=\"password\""))));

		this.mvc.perform(post("/approvals/{id}", incident.id()).with(authentication(stale)).with(csrf())
				.param("role", "TEAM_LEAD").param("decision", "APPROVED").param("comment", "looks right")
				.param("password", "a guess").param("planHash", this.incidents.get(incident.id()).planHash())
				.param("runbookVersion", incident.runbookHash()))
			.andExpect(flash().attribute("error", containsString("Sign in again with your company account")));
		org.assertj.core.api.Assertions.assertThat(this.approvals.decisions(incident.id())).isEmpty();
	}

	private static OAuth2AuthenticationToken signedInAtProvider(String name, Instant authTime) {
		OidcIdToken idToken = new OidcIdToken("t", authTime, authTime.plusSeconds(7200),
				Map.of("sub", name, "preferred_username", name, "auth_time", authTime));
		List<SimpleGrantedAuthority> roles = List.of(new SimpleGrantedAuthority("ROLE_TEAM_LEAD"));
		return new OAuth2AuthenticationToken(new DefaultOidcUser(roles, idToken, "preferred_username"), roles, "company");
	}

}
