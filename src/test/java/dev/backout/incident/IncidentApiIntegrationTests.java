package dev.backout.incident;

import java.nio.file.Files;
import java.util.stream.Stream;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.ApiTokens;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The REST API with personal tokens: the same workflow and the same rules as the pages.
 */
@IntegrationTest
class IncidentApiIntegrationTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	MockMvc mvc;

	@Autowired
	ApiTokens tokens;

	@Autowired
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	Target target;

	@BeforeEach
	void runbookAndTarget() throws Exception {
		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("incident-test.yaml"), IncidentWorkflowIntegrationTests.RUNBOOK);
		this.catalog.reload(null);
		this.target = new ScratchTargets(this.demo, this.targets).create("api-" + System.nanoTime() % 1_000_000,
				"CREATE TABLE things (n int); INSERT INTO things SELECT generate_series(1, 5)");
	}

	@Test
	void aWholeRollbackThroughTheApiWithPersonalTokens() throws Exception {
		String commander = token("commander", "ROLE_COMMANDER");
		String lead = token("lead", "ROLE_TEAM_LEAD");
		long id = open(commander);
		int version = version(id, commander);
		call(commander, post("/api/incidents/{id}/answers", id), "{\"version\": %d, \"questionId\": \"broken\", \"answer\": \"Yes\"}".formatted(version));
		call(commander, post("/api/incidents/{id}/decision", id), "{\"version\": %d}".formatted(version(id, commander)));
		call(commander, post("/api/incidents/{id}/prechecks", id), null);
		call(commander, post("/api/incidents/{id}/steps/writes-frozen", id), "{}");
		JsonNode awaiting = call(commander, post("/api/incidents/{id}/approval-request", id), "{\"version\": %d}".formatted(version(id, commander)));
		assertThat(awaiting.get("state").asString()).isEqualTo("AWAITING_APPROVAL");

		this.mvc.perform(post("/api/incidents/{id}/steps/add-column", id).header("Authorization", "Bearer " + commander)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{}")).andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("Nothing runs against the target before the incident is approved")));

		JsonNode reviewed = call(lead, get("/api/incidents/{id}", id), null);
		this.mvc.perform(post("/api/approvals/{id}/approve", id).header("Authorization", "Bearer " + lead)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"role\": \"TEAM_LEAD\", \"comment\": \"ok\", \"password\": \"demo-password-for-tests\", "
					+ "\"planHash\": \"%s\", \"runbookVersion\": \"%s\"}".formatted("0".repeat(64), reviewed.get("runbookVersion").asString())))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("You reviewed plan 000000000000")));
		JsonNode approval = call(lead, post("/api/approvals/{id}/approve", id),
				"{\"role\": \"TEAM_LEAD\", \"comment\": \"ok\", \"password\": \"demo-password-for-tests\", \"planHash\": \"%s\", \"runbookVersion\": \"%s\"}"
					.formatted(reviewed.get("planHash").asString(), reviewed.get("runbookVersion").asString()));
		assertThat(approval.get("approved").asBoolean()).isTrue();

		call(commander, post("/api/incidents/{id}/steps/add-column", id), "{}");
		JsonNode drop = call(commander, post("/api/incidents/{id}/steps/drop-things", id), "{\"confirmation\": \"DROP things\"}");
		assertThat(drop.get("countBefore").asString()).isEqualTo("5");
		call(commander, post("/api/incidents/{id}/verification", id), null);
		call(commander, post("/api/incidents/{id}/steps/notified", id), "{\"inputs\": {\"channel\": \"#ops\"}}");
		JsonNode closed = call(commander, post("/api/incidents/{id}/close", id),
				"{\"version\": %d, \"summary\": \"Rolled back through the API\"}".formatted(version(id, commander)));
		assertThat(closed.get("state").asString()).isEqualTo("COMPLETED");
	}

	@Test
	void theApproversQueueTheIncidentListAndTheTargetsAreInTheApiToo() throws Exception {
		String commander = token("commander", "ROLE_COMMANDER");
		String lead = token("lead", "ROLE_TEAM_LEAD");
		String admin = token("admin", "ROLE_ADMIN");
		String auditor = token("auditor", "ROLE_AUDITOR");
		long id = open(commander);
		call(commander, post("/api/incidents/{id}/answers", id),
				"{\"version\": %d, \"questionId\": \"broken\", \"answer\": \"Yes\"}".formatted(version(id, commander)));
		call(commander, post("/api/incidents/{id}/decision", id), "{\"version\": %d}".formatted(version(id, commander)));
		call(commander, post("/api/incidents/{id}/prechecks", id), null);
		call(commander, post("/api/incidents/{id}/steps/writes-frozen", id), "{}");
		call(commander, post("/api/incidents/{id}/approval-request", id), "{\"version\": %d}".formatted(version(id, commander)));

		// The lead's queue holds it, with the role to decide in; the commander's does not offer it to them.
		JsonNode queue = call(lead, get("/api/approvals"), null);
		JsonNode waiting = null;
		for (JsonNode entry : queue) {
			if (entry.get("incidentId").asLong() == id) {
				waiting = entry;
			}
		}
		assertThat(waiting).as("in the lead's queue").isNotNull();
		assertThat(waiting.get("yourRoles").get(0).asString()).isEqualTo("TEAM_LEAD");
		assertThat(waiting.get("review").asString()).isEqualTo("/approvals/" + id);
		this.mvc.perform(get("/api/approvals").header("Authorization", "Bearer " + auditor)).andExpect(status().isForbidden());

		// Listed and searched as on the history page.
		JsonNode awaiting = call(auditor, get("/api/incidents").param("state", "AWAITING_APPROVAL").param("target", String.valueOf(this.target.id())), null);
		assertThat(awaiting.get("incidents")).hasSize(1);
		assertThat(awaiting.get("incidents").get(0).get("id").asLong()).isEqualTo(id);
		assertThat(awaiting.get("incidents").get(0).get("commander").asString()).isEqualTo("commander");
		assertThat(call(auditor, get("/api/incidents").param("state", "COMPLETED").param("target", String.valueOf(this.target.id())), null)
			.get("incidents")).isEmpty();
		this.mvc.perform(get("/api/incidents").param("state", "NO_SUCH_STATE").header("Authorization", "Bearer " + auditor))
			.andExpect(status().isBadRequest());
		// Exports take a token as the pages take a session: an auditor's script fetches one incident's trail.
		MvcResult streaming = this.mvc.perform(get("/history/trail.jsonl").param("incident", String.valueOf(id))
				.header("Authorization", "Bearer " + auditor))
			.andExpect(status().isOk()).andReturn();
		String export = this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch(streaming))
			.andReturn().getResponse().getContentAsString();
		assertThat(export).contains("\"APPROVAL_REQUESTED\"");
		this.mvc.perform(get("/history/trail.jsonl").header("Authorization", "Bearer " + commander)).andExpect(status().isForbidden());

		// Targets: registered, edited and tested by an admin; passwords never come back; a commander may only read.
		String password = (this.demo.password() != null) ? this.demo.password() : "a-password-the-server-trusts-anyway";
		String spec = """
				{"name": "api-registered-%d", "aliasGroup": "scratch", "environment": "STAGING",
				 "jdbcUrl": "%s", "username": "%s", "password": "%s"}""".formatted(System.nanoTime() % 1_000_000, this.target.jdbcUrl(),
				this.demo.username(), password);
		MvcResult created = this.mvc.perform(post("/api/targets").header("Authorization", "Bearer " + admin)
				.contentType(MediaType.APPLICATION_JSON).content(spec))
			.andExpect(status().isCreated()).andReturn();
		assertThat(created.getResponse().getContentAsString()).doesNotContain(password).doesNotContainIgnoringCase("password\"");
		long targetId = JSON.readTree(created.getResponse().getContentAsString()).get("id").asLong();
		JsonNode edited = call(admin, org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put("/api/targets/{id}", targetId),
				spec.replace("\"STAGING\"", "\"PRODUCTION\"").replace("\"password\": \"%s\"".formatted(password), "\"password\": \"\""));
		assertThat(edited.get("environment").asString()).isEqualTo("PRODUCTION");
		JsonNode check = call(admin, post("/api/targets/{id}/test", targetId), null);
		assertThat(check.get("reachable").asBoolean()).as("the stored password was kept").isTrue();
		assertThat(call(commander, get("/api/targets/{id}", targetId), null).get("name").asString()).startsWith("api-registered-");
		this.mvc.perform(post("/api/targets").header("Authorization", "Bearer " + commander).contentType(MediaType.APPLICATION_JSON).content(spec))
			.andExpect(status().isForbidden());
		this.mvc.perform(post("/api/targets").header("Authorization", "Bearer " + admin).contentType(MediaType.APPLICATION_JSON)
				.content("{\"name\": \"Bad Name\", \"jdbcUrl\": \"mysql://x\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
	}

	@Test
	void selfApprovalIsRefusedThroughTheApiToo() throws Exception {
		String name = "cmdlead-" + System.nanoTime() % 100000;
		this.mvc.perform(post("/admin/users").with(user("admin").roles("ADMIN"))
			.with(csrf())
			.param("username", name)
			.param("password", "a-long-enough-password")
			.param("roles", "COMMANDER", "TEAM_LEAD")).andExpect(status().is3xxRedirection());
		String both = token(name, "ROLE_COMMANDER", "ROLE_TEAM_LEAD");
		long id = open(both);
		call(both, post("/api/incidents/{id}/answers", id), "{\"version\": %d, \"questionId\": \"broken\", \"answer\": \"Yes\"}".formatted(version(id, both)));
		call(both, post("/api/incidents/{id}/decision", id), "{\"version\": %d}".formatted(version(id, both)));
		call(both, post("/api/incidents/{id}/prechecks", id), null);
		call(both, post("/api/incidents/{id}/steps/writes-frozen", id), "{}");
		call(both, post("/api/incidents/{id}/approval-request", id), "{\"version\": %d}".formatted(version(id, both)));
		this.mvc.perform(post("/api/approvals/{id}/approve", id).header("Authorization", "Bearer " + both)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"role\": \"TEAM_LEAD\", \"comment\": \"me\", \"password\": \"a-long-enough-password\"}"))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value("You are this incident's commander: the commander cannot approve their own incident."));
	}

	@Test
	void badInputGetsAPlainAnswerNotAnError() throws Exception {
		String commander = token("commander", "ROLE_COMMANDER");
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"runbookId\": \"no-such-runbook\", \"targetId\": %d, \"symptom\": \"x\"}".formatted(this.target.id())))
			.andExpect(status().isNotFound());
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"runbookId\": \"incident-test\", \"targetId\": %d, \"symptom\": \" \"}".formatted(this.target.id())))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value("Describe the symptom: it is the first line of the incident record."));
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{not json"))
			.andExpect(status().isBadRequest());
		long id = open(commander);
		this.mvc.perform(post("/api/incidents/{id}/answers", id).header("Authorization", "Bearer " + commander)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"version\": 99, \"questionId\": \"broken\", \"answer\": \"Yes\"}"))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("changed since you loaded it")));
	}

	@Test
	void unknownAndRevokedTokensAreRefused() throws Exception {
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer bo_not-a-token")).andExpect(status().isUnauthorized());
		var owner = UsernamePasswordAuthenticationToken.authenticated("auditor", null, AuthorityUtils.createAuthorityList("ROLE_AUDITOR"));
		ApiTokens.Created created = this.tokens.create(owner, "to revoke");
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer " + created.secret())).andExpect(status().isOk());
		this.tokens.revoke(owner, created.token().id());
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer " + created.secret())).andExpect(status().isUnauthorized());
	}

	static Stream<MockHttpServletRequestBuilder> stateChangingRequests() {
		return Stream.of(post("/incidents"), post("/incidents/1/answers"), post("/incidents/1/decision"),
				post("/incidents/1/prechecks"), post("/incidents/1/lead-unreachable"), post("/incidents/1/approval-request"),
				post("/incidents/1/steps/x"), post("/incidents/1/rest-of-phase"), post("/incidents/1/retry"),
				post("/incidents/1/skip"), post("/incidents/1/abort"), post("/incidents/1/cancel"),
				post("/incidents/1/runbook-version"), post("/incidents/1/close"), post("/approvals/1"),
				post("/api/incidents"), post("/api/incidents/1/answers"), post("/api/incidents/1/decision"),
				post("/api/incidents/1/prechecks"), post("/api/incidents/1/approval-request"), post("/api/incidents/1/steps/x"),
				post("/api/incidents/1/verification"), post("/api/incidents/1/close"), post("/api/incidents/1/abort"),
				post("/api/approvals/1/approve"), post("/api/approvals/1/reject"), post("/runbooks/reload"),
				post("/admin/demo-target/reset"), post("/admin/targets/recover"), post("/admin/users"),
				post("/history/trail/checkpoint"), post("/admin/targets"));
	}

	@ParameterizedTest
	@MethodSource("stateChangingRequests")
	void anAuditorIsRefusedEveryStateChange(MockHttpServletRequestBuilder request) throws Exception {
		this.mvc.perform(request.with(user("auditor").roles("AUDITOR"))
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"version\": 0, \"reason\": \"x\", \"summary\": \"x\", \"role\": \"TEAM_LEAD\", \"comment\": \"x\"}")
			.param("version", "0")
			.param("reason", "x")
			.param("summary", "x")
			.param("question", "q")
			.param("answer", "a")
			.param("step", "x")
			.param("decision", "APPROVED")
			.param("role", "TEAM_LEAD")
			.param("comment", "x")
			.param("runbookId", "incident-test")
			.param("targetId", "1")
			.param("symptom", "x")
			.param("severity", "SEV2")).andExpect(status().isForbidden());
	}

	@Test
	void aRetryWithTheSameIdempotencyKeyGetsTheFirstAnswerAndNotASecondIncidentOrApproval() throws Exception {
		String commander = token("commander", "ROLE_COMMANDER");
		String lead = token("lead", "ROLE_TEAM_LEAD");
		String key = java.util.UUID.randomUUID().toString();
		String opening = "{\"runbookId\": \"incident-test\", \"targetId\": %d, \"symptom\": \"Idempotent\", \"severity\": \"SEV3\"}"
			.formatted(this.target.id());
		long before = this.jdbc.sql("select count(*) from incident").query(Long.class).single();
		MvcResult first = this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander).header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON).content(opening))
			.andReturn();
		// The answer was lost on the way back: the client sends the same request again.
		MvcResult retry = this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander).header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON).content(opening))
			.andReturn();
		assertThat(retry.getResponse().getStatus()).isEqualTo(first.getResponse().getStatus()).isBetween(200, 201);
		assertThat(retry.getResponse().getContentAsString()).isEqualTo(first.getResponse().getContentAsString());
		assertThat(retry.getResponse().getHeader("Idempotency-Replayed")).isEqualTo("true");
		assertThat(this.jdbc.sql("select count(*) from incident").query(Long.class).single()).as("incidents opened").isEqualTo(before + 1);
		// The same key for another request is a mistake the client must hear about.
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander).header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON).content(opening.replace("Idempotent", "Something else")))
			.andExpect(status().isUnprocessableContent())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("This Idempotency-Key was used for another request")));
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander).header("Idempotency-Key", "with spaces")
				.contentType(MediaType.APPLICATION_JSON).content(opening))
			.andExpect(status().isBadRequest());

		// An approval retried with its key is the same approval, not "already decided".
		long id = JSON.readTree(first.getResponse().getContentAsString()).get("id").asLong();
		call(commander, post("/api/incidents/{id}/answers", id), "{\"version\": %d, \"questionId\": \"broken\", \"answer\": \"Yes\"}"
			.formatted(version(id, commander)));
		call(commander, post("/api/incidents/{id}/decision", id), "{\"version\": %d}".formatted(version(id, commander)));
		call(commander, post("/api/incidents/{id}/prechecks", id), null);
		call(commander, post("/api/incidents/{id}/steps/writes-frozen", id), "{}");
		call(commander, post("/api/incidents/{id}/approval-request", id), "{\"version\": %d}".formatted(version(id, commander)));
		JsonNode reviewed = call(lead, get("/api/incidents/{id}", id), null);
		String approving = "{\"role\": \"TEAM_LEAD\", \"comment\": \"ok\", \"password\": \"demo-password-for-tests\", \"planHash\": \"%s\", "
			.formatted(reviewed.get("planHash").asString()) + "\"runbookVersion\": \"%s\"}".formatted(reviewed.get("runbookVersion").asString());
		String approvalKey = java.util.UUID.randomUUID().toString();
		for (int attempt = 0; attempt < 2; attempt++) {
			this.mvc.perform(post("/api/approvals/{id}/approve", id).header("Authorization", "Bearer " + lead)
					.header("Idempotency-Key", approvalKey).contentType(MediaType.APPLICATION_JSON).content(approving))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.approved").value(true));
		}
		assertThat(this.jdbc.sql("select count(*) from approval where incident_id = :id").param("id", id).query(Long.class).single())
			.as("approvals recorded").isEqualTo(1);
	}

	@Test
	void everyErrorOfTheApiIsAProblemDetail() throws Exception {
		String auditor = token("auditor", "ROLE_AUDITOR");
		String problem = "application/problem+json";
		// 401: no token, and a token the console does not know.
		this.mvc.perform(get("/api/incidents"))
			.andExpect(status().isUnauthorized())
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content().contentTypeCompatibleWith(problem))
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.header().string("WWW-Authenticate", "Bearer"))
			.andExpect(jsonPath("$.status").value(401))
			.andExpect(jsonPath("$.title").value("Unauthorized"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("Sign in: send Authorization: Bearer")))
			.andExpect(jsonPath("$.instance").value("/api/incidents"));
		this.mvc.perform(get("/api/runbooks").header("Authorization", "Bearer bo_not-a-token"))
			.andExpect(status().isUnauthorized())
			.andExpect(jsonPath("$.detail").value("Unknown, revoked or expired API token."));
		// 403: signed in, the role may not.
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + auditor).contentType(MediaType.APPLICATION_JSON)
				.content("{}"))
			.andExpect(status().isForbidden())
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content().contentTypeCompatibleWith(problem))
			.andExpect(jsonPath("$.title").value("Forbidden"))
			.andExpect(jsonPath("$.detail").value("Your roles do not allow POST /api/incidents."));
		// 404: an incident that does not exist, and a path no endpoint serves.
		this.mvc.perform(get("/api/incidents/{id}", 987_654_321L).header("Authorization", "Bearer " + auditor))
			.andExpect(status().isNotFound())
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content().contentTypeCompatibleWith(problem))
			.andExpect(jsonPath("$.detail").value("No incident 987654321"));
		this.mvc.perform(get("/api/no-such-thing").header("Authorization", "Bearer " + auditor))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("/v3/api-docs")));
		// 400: a body that is not JSON, a path variable that is not a number.
		String commander = token("commander", "ROLE_COMMANDER");
		this.mvc.perform(post("/api/incidents").header("Authorization", "Bearer " + commander).contentType(MediaType.APPLICATION_JSON)
				.content("{not json"))
			.andExpect(status().isBadRequest())
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content().contentTypeCompatibleWith(problem))
			.andExpect(jsonPath("$.status").value(400));
		this.mvc.perform(get("/api/incidents/{id}", "seven").header("Authorization", "Bearer " + auditor))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.status").value(400));
	}

	private long open(String token) throws Exception {
		JsonNode opened = call(token, post("/api/incidents"),
				"{\"runbookId\": \"incident-test\", \"targetId\": %d, \"symptom\": \"API test\", \"severity\": \"SEV3\"}".formatted(this.target.id()));
		return opened.get("id").asLong();
	}

	private int version(long id, String token) throws Exception {
		return call(token, get("/api/incidents/{id}", id), null).get("version").asInt();
	}

	private JsonNode call(String token, MockHttpServletRequestBuilder request, String body) throws Exception {
		request.header("Authorization", "Bearer " + token);
		if (body != null) {
			request.contentType(MediaType.APPLICATION_JSON).content(body);
		}
		MvcResult result = this.mvc.perform(request).andReturn();
		assertThat(result.getResponse().getStatus()).as(result.getResponse().getContentAsString()).isBetween(200, 201);
		return JSON.readTree(result.getResponse().getContentAsString());
	}

	private String token(String username, String... authorities) {
		var owner = UsernamePasswordAuthenticationToken.authenticated(username, null, AuthorityUtils.createAuthorityList(authorities));
		return this.tokens.create(owner, "test " + System.nanoTime()).secret();
	}


}
