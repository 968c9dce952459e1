package dev.backout.security;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@IntegrationTest
class ProfileIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	ApiTokens tokens;

	@Autowired
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	@Test
	void aUserCreatesATokenSeesItOnceUsesItAndRevokesIt() throws Exception {
		MvcResult created = this.mvc.perform(post("/profile/tokens").param("name", "chat bot").with(user("cto").roles("CTO")).with(csrf()))
			.andExpect(flash().attribute("message", "Token 'chat bot' created. Copy it now: it is shown only once."))
			.andReturn();
		String secret = (String) created.getFlashMap().get("newToken");
		assertThat(secret).startsWith("bo_");
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer " + secret)).andExpect(status().isOk());
		this.mvc.perform(get("/profile").with(user("cto").roles("CTO")))
			.andExpect(content().string(containsString("chat bot")))
			.andExpect(content().string(org.hamcrest.Matchers.not(containsString(secret))));

		long id = this.tokens.of("cto").stream().filter((t) -> t.name().equals("chat bot")).findFirst().orElseThrow().id();
		this.mvc.perform(post("/profile/tokens/{id}/revoke", id).with(user("auditor").roles("AUDITOR")).with(csrf()))
			.andExpect(flash().attribute("error", "No such token of yours."));
		this.mvc.perform(post("/profile/tokens/{id}/revoke", id).with(user("cto").roles("CTO")).with(csrf()))
			.andExpect(flash().attribute("message", "Token revoked."));
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer " + secret)).andExpect(status().isUnauthorized());
	}

	/** ASVS 4.0.3 V3.5.2 / V3.3.1: a token cannot mint tokens, and tokens end. */
	@Test
	void aTokenCannotCreateMoreTokens() throws Exception {
		String secret = token("minter");
		int before = this.tokens.of("cto").size();

		this.mvc.perform(post("/profile/tokens").param("name", "offspring").header("Authorization", "Bearer " + secret))
			.andExpect(status().isForbidden());

		assertThat(this.tokens.of("cto")).hasSize(before);
	}

	@Test
	void tokensExpireAfterTheirLifetimeAndThePageSaysWhen() throws Exception {
		String secret = token("short-lived");
		ApiToken token = this.tokens.of("cto").stream().filter((t) -> t.name().equals("short-lived")).findFirst().orElseThrow();
		assertThat(token.expiresAt()).isBetween(java.time.Instant.now().plus(java.time.Duration.ofDays(89)),
				java.time.Instant.now().plus(java.time.Duration.ofDays(91)));
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer " + secret)).andExpect(status().isOk());

		this.jdbc.sql("update api_token set expires_at = now() - interval '1 minute' where id = ?").param(token.id()).update();

		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer " + secret)).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/profile").with(user("cto").roles("CTO")))
			.andExpect(content().string(containsString("Expires (UTC)")))
			.andExpect(content().string(containsString("expired")));
	}

	/** ASVS 4.0.3 V4.1.1: every part of a request is authorised, the streamed export included. */
	@Test
	void anExportFetchedWithATokenArrivesWhole() throws Exception {
		MvcResult created = this.mvc.perform(post("/profile/tokens").param("name", "export bot")
			.with(user("auditor").roles("AUDITOR")).with(csrf())).andReturn();
		String secret = (String) created.getFlashMap().get("newToken");

		MvcResult started = this.mvc.perform(get("/history/trail.jsonl").header("Authorization", "Bearer " + secret))
			.andExpect(status().isOk())
			.andReturn();
		MvcResult done = this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(started))
			.andExpect(status().isOk())
			.andReturn();

		String jsonl = done.getResponse().getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
		assertThat(jsonl.lines().count()).isPositive();
		assertThat(jsonl.lines().toList()).allSatisfy((line) -> assertThat(line).startsWith("{").endsWith("}"));
	}

	private String token(String name) throws Exception {
		MvcResult created = this.mvc.perform(post("/profile/tokens").param("name", name).with(user("cto").roles("CTO")).with(csrf()))
			.andReturn();
		return (String) created.getFlashMap().get("newToken");
	}

	@Test
	void aTokenNeedsAName() throws Exception {
		this.mvc.perform(post("/profile/tokens").param("name", " ").with(user("cto").roles("CTO")).with(csrf()))
			.andExpect(flash().attribute("error", "Give the token a name of up to 80 characters, e.g. 'chat bot'."));
	}

}
