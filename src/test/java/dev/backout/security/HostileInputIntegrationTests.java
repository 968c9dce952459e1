package dev.backout.security;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** Hostile input gets a plain answer, and never reaches a spreadsheet as a formula. */
@IntegrationTest
class HostileInputIntegrationTests {

	static final TestingAuthenticationToken ADMIN = new TestingAuthenticationToken("admin", null, "ROLE_ADMIN");

	@Autowired
	MockMvc mvc;

	@Autowired
	UserAccounts accounts;

	@Autowired
	dev.backout.target.Targets targets;

	@Autowired
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	/** ASVS 4.0.3 V2.1.2 / V7.4.1: a password over bcrypt's 72 bytes is just wrong at sign-in, never a 500. */
	@Test
	void aPasswordLongerThanBcryptReadsIsAWrongPasswordNotAnError() throws Exception {
		ConsoleUser user = this.accounts.create("long-pw-" + System.nanoTime() % 100_000, "a-long-enough-password",
				Set.of(Role.AUDITOR), ADMIN);
		this.mvc.perform(formLogin().user(user.username()).password("x".repeat(100)))
			.andExpect(redirectedUrl("/login?error"))
			.andExpect(unauthenticated());
		assertThatExceptionOfType(UserAccountException.class)
			.isThrownBy(() -> this.accounts.create("long-pw-new-" + System.nanoTime() % 100_000, "é".repeat(40),
					Set.of(Role.AUDITOR), ADMIN))
			.withMessageStartingWith("A password may be at most 72 bytes long");
	}

	/** ASVS 4.0.3 V13.1.3 / V5.1.4: request bodies and fields are bounded; nothing unbounded reaches the trail. */
	@Test
	void anOversizedBodyIs413AndAnOverlongFieldIs400NamingIt() throws Exception {
		long demo = this.targets.findByName("demo").orElseThrow().id();
		long before = this.jdbc.sql("select count(*) from incident").query(Long.class).single();

		this.mvc.perform(post("/api/incidents").with(user("commander").roles("COMMANDER")).with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content(("{\"runbookId\": \"memory-schema-rls\", \"targetId\": " + demo + ", \"symptom\": \""
					+ "x".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8)))
			.andExpect(status().is(413));
		this.mvc.perform(post("/api/incidents").with(user("commander").roles("COMMANDER")).with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"runbookId\": \"memory-schema-rls\", \"targetId\": " + demo + ", \"symptom\": \""
					+ "x".repeat(3_000) + "\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail").value("The symptom is too long: at most 2,000 characters."));

		assertThat(this.jdbc.sql("select count(*) from incident").query(Long.class).single()).isEqualTo(before);
	}

	/** ASVS 4.0.3 V5.3.10 (CSV injection): user-controlled text lands in the CSV export as text. */
	@Test
	void aFormulaTypedAsASignInNameIsNeutralisedInTheCsvExport() throws Exception {
		String formula = "=HYPERLINK(\"http://evil.example\",\"click\")";
		this.mvc.perform(formLogin().user(formula).password("whatever-password")).andExpect(redirectedUrl("/login?error"));

		MvcResult started = this.mvc.perform(get("/history/trail.csv").with(user("auditor").roles("AUDITOR"))).andReturn();
		String csv = this.mvc.perform(asyncDispatch(started)).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);

		assertThat(csv).contains("'=HYPERLINK").doesNotContain(",\"=HYPERLINK").doesNotContain(",=HYPERLINK");
	}

}
