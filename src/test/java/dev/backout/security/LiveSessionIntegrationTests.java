package dev.backout.security;

import java.util.Set;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.test.web.servlet.MockMvc;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Role changes, disabling and lockout take effect on the next request of a session opened
 * before them (OWASP ASVS 4.0.3 V3.3.4 / V4.1.3: access decisions use current privileges).
 */
@IntegrationTest
class LiveSessionIntegrationTests {

	static final String PASSWORD = "a-long-enough-password";

	static final TestingAuthenticationToken ADMIN = new TestingAuthenticationToken("admin", null, "ROLE_ADMIN");

	@Autowired
	MockMvc mvc;

	@Autowired
	UserAccounts accounts;

	@Test
	void aRevokedApproverRoleNoLongerApprovesFromASessionOpenedBefore() throws Exception {
		ConsoleUser lead = this.accounts.create("live-lead-" + System.nanoTime() % 100_000, PASSWORD, Set.of(Role.TEAM_LEAD), ADMIN);
		jakarta.servlet.http.Cookie session = signIn(lead.username());
		this.mvc.perform(post("/approvals/999999").cookie(session).with(csrf()).param("decision", "APPROVED").param("role", "TEAM_LEAD")
			.param("comment", "ok")).andExpect(status().is3xxRedirection());

		this.accounts.revoke(lead.id(), Role.TEAM_LEAD, ADMIN);

		this.mvc.perform(post("/approvals/999999").cookie(session).with(csrf()).param("decision", "APPROVED").param("role", "TEAM_LEAD")
			.param("comment", "ok")).andExpect(status().isForbidden());
	}

	@Test
	void aDisabledAccountsSessionEndsOnItsNextRequest() throws Exception {
		ConsoleUser user = this.accounts.create("live-off-" + System.nanoTime() % 100_000, PASSWORD, Set.of(Role.AUDITOR), ADMIN);
		jakarta.servlet.http.Cookie session = signIn(user.username());
		this.mvc.perform(get("/").cookie(session)).andExpect(status().isOk());

		this.accounts.setEnabled(user.id(), false, ADMIN);

		this.mvc.perform(get("/").cookie(session)).andExpect(redirectedUrl("/login?ended"));
		this.mvc.perform(get("/api/incidents/1").cookie(session)).andExpect(status().isUnauthorized());
	}

	@Test
	void aLockedOutAccountsSessionEndsOnItsNextRequest() throws Exception {
		ConsoleUser user = this.accounts.create("live-lock-" + System.nanoTime() % 100_000, PASSWORD, Set.of(Role.AUDITOR), ADMIN);
		jakarta.servlet.http.Cookie session = signIn(user.username());
		for (int i = 0; i < 5; i++) {
			this.mvc.perform(formLogin().user(user.username()).password("wrong-password-" + i));
		}

		this.mvc.perform(get("/").cookie(session)).andExpect(redirectedUrl("/login?ended"));
	}

	/** The session's cookie: sessions live in the console database, found by it, as a browser's are. */
	private jakarta.servlet.http.Cookie signIn(String username) throws Exception {
		return this.mvc.perform(formLogin().user(username).password(PASSWORD))
			.andExpect(redirectedUrl("/"))
			.andReturn()
			.getResponse()
			.getCookie("SESSION");
	}

}
