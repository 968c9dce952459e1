package dev.backout.incident;

import java.nio.file.Files;
import java.util.List;

import dev.backout.IntegrationTest;
import dev.backout.SignedIn;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.runbook.RunbookProblem;
import dev.backout.security.Role;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;

/**
 * Facts before the decision (issue 12): seed 002 asks "Do OAuth users exist?", and a commander
 * answered "No" from memory beside a pre-check that said 80. The question now shows its fact,
 * read-only, and an answer the fact contradicts is recorded as such for approvers to see.
 */
@IntegrationTest
class DecisionFactsIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	Incidents incidents;

	@Autowired
	Targets targets;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	JdbcClient jdbc;

	@AfterEach
	void signOut() throws Exception {
		SecurityContextHolder.clearContext();
		Files.deleteIfExists(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("fact-hostile.yaml"));
		this.catalog.reload(null);
	}

	@Test
	void theQuestionShowsItsFactAndAnAnswerItContradictsIsFlaggedInTheRecord() throws Exception {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		long demo = this.targets.findByName("demo").orElseThrow().id();
		Incident incident = this.incidents.open(new Incidents.Opening("knowledge-base-transformation", demo, "KB creation fails",
				Severity.SEV2, null), commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "trigger-met", "Yes", commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "fixable-in-30", "No", commander);
		long id = incident.id();
		int version = incident.version();

		this.mvc.perform(get("/incidents/{id}", id).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("Users without a password (OAuth)")))
			.andExpect(content().string(containsString("<strong>80</strong>")))
			.andExpect(content().string(containsString("fits the answer")));
		this.mvc.perform(get("/incidents/{id}/facts/{q}", id, "oauth-users").with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("<strong>80</strong>")));
		// Reading the target is for those who decide and approve, not for every signed-in viewer.
		this.mvc.perform(get("/incidents/{id}/facts/{q}", id, "oauth-users").with(user("auditor").roles("AUDITOR")))
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.status().isForbidden());
		this.mvc.perform(get("/incidents/{id}/rows-at-stake", id).with(user("lead").roles("TEAM_LEAD")))
			.andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.status().isForbidden());
		this.mvc.perform(get("/incidents/{id}", id).with(user("auditor").roles("AUDITOR")))
			.andExpect(content().string(org.hamcrest.Matchers.not(containsString("/facts/oauth-users"))))
			.andExpect(content().string(org.hamcrest.Matchers.not(containsString("<strong>80</strong>"))));

		this.mvc.perform(post("/incidents/{id}/answers", id).param("version", String.valueOf(version))
			.param("question", "oauth-users").param("answer", "No")
			.with(user("commander").roles("COMMANDER")).with(csrf()))
			.andExpect(flash().attribute("warning", containsString("disagrees with the fact: Users without a password (OAuth) = 80")));
		Answer given = this.incidents.get(id).answers().get(2);
		assertThat(given.contradicted()).isTrue();
		assertThat(given.factValue()).isEqualTo("80");
		assertThat(this.jdbc.sql("select details::text from audit_event where incident_id = ? and action = 'DECISION_ANSWERED' order by seq desc limit 1")
			.param(id).query(String.class).single()).contains("\"contradicted\": true").contains("Users without a password (OAuth): 80");
		this.mvc.perform(get("/incidents/{id}", id).with(user("commander").roles("COMMANDER")))
			.andExpect(content().string(containsString("The fact said otherwise: Users without a password (OAuth) = 80")));

		SignedIn.as("commander", Role.COMMANDER);
		Incident changed = this.incidents.answer(id, this.incidents.get(id).version(), "oauth-users", "Yes", commander);
		assertThat(changed.answers().get(2).contradicted()).as("Yes fits 80").isFalse();
		this.incidents.abort(id, changed.version(), "Fact test done", commander);
	}

	/** The whole tree beside the question, the path taken marked; a partial plan says what it leaves out, by title. */
	@Test
	void aPartialPlanShowsThePathTakenAndWhatItLeavesOut() throws Exception {
		Authentication commander = SignedIn.as("commander", Role.COMMANDER);
		long demo = this.targets.findByName("demo").orElseThrow().id();
		Incident incident = this.incidents.open(new Incidents.Opening("memory-schema-rls", demo, "Slow queries", Severity.SEV3, null),
				commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "rls-blocking", "No", commander);
		incident = this.incidents.answer(incident.id(), incident.version(), "index-slowness", "Yes", commander);
		incident = this.incidents.confirmDecision(incident.id(), incident.version(), null, commander);
		String page = this.mvc.perform(get("/incidents/{id}", incident.id()).with(user("commander").roles("COMMANDER")))
			.andReturn().getResponse().getContentAsString();
		assertThat(page).contains("The whole decision tree").contains("class=\"taken\"");
		assertThat(page).containsPattern("Not in this plan:[^<]*Drop the memory_chunks table");
		assertThat(page).doesNotContain("(steps: drop-vector-indexes");
		SignedIn.as("commander", Role.COMMANDER);
		this.incidents.abort(incident.id(), this.incidents.get(incident.id()).version(), "Tree test done", commander);
	}

	@Test
	void aFactIsACheckAndTheLinterHoldsItToTheSameRules() throws Exception {
		Files.createDirectories(IncidentWorkflowIntegrationTests.RUNBOOKS);
		Files.writeString(IncidentWorkflowIntegrationTests.RUNBOOKS.resolve("fact-hostile.yaml"), """
				id: fact-hostile
				title: A fact that writes
				migration: { id: "1", tool: sql }
				risk: LOW
				summary: Its fact would end sessions.
				target: scratch
				decision:
				  start: broken
				  questions:
				    - id: broken
				      ask: Is it broken?
				      fact: { check: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity", label: Sessions }
				      answers:
				        - { answer: "Yes", outcome: ROLLBACK }
				        - { answer: "No", outcome: FIX_FORWARD }
				    - id: orphan
				      ask: Never asked
				      answers:
				        - { answer: "Yes", outcome: ROLLBACK, expect: { equals: 1 } }
				        - { answer: "No", outcome: FIX_FORWARD }
				authorization:
				  approvers: [TEAM_LEAD]
				phases:
				  execute:
				    steps:
				      - { id: noop, title: Nothing, sql: "SELECT 1" }
				  verify:
				    steps:
				      - { id: done, title: Done, check: "SELECT 1" }
				""");
		List<String> messages = this.catalog.reload(null).errors()
			.stream()
			.filter((problem) -> problem.file().endsWith("fact-hostile.yaml"))
			.map(RunbookProblem::message)
			.toList();
		assertThat(messages).anyMatch((m) -> m.contains("A fact runs before anyone approved anything") && m.contains("pg_terminate_backend"));
		assertThat(messages).anyMatch((m) -> m.contains("Answer 'Yes' expects a fact value, but question 'orphan' has no fact."));
		assertThat(this.catalog.find("fact-hostile")).isEmpty();
	}

}
