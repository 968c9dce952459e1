package dev.backout.runbook;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.backout.IntegrationTest;
import dev.backout.SignedIn;
import dev.backout.security.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@IntegrationTest
class RunbookWebIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	RunbookCatalog catalog;

	@ParameterizedTest
	@EnumSource(Role.class)
	void everyRoleReadsTheRunbooks(Role role) throws Exception {
		this.mvc.perform(get("/runbooks").with(user(SignedIn.demoUser(role)).roles(role.name())))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Knowledge-base transformation")))
			.andExpect(content().string(containsString("Last incident")));
		this.mvc.perform(get("/runbooks/knowledge-base-transformation").with(user(SignedIn.demoUser(role)).roles(role.name())))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("How should the OAuth users be handled before 012 runs?")))
			.andExpect(content().string(containsString(
					"1 approval from Team lead or CTO; On-call engineer may approve when the team lead is unreachable; "
							+ "decide within 30 minutes; the commander cannot approve.")))
			.andExpect(content().string(containsString("DROP KNOWLEDGE BASE COLUMNS")));
	}

	@Test
	@WithMockUser(username = "auditor", roles = "AUDITOR")
	void anUnknownRunbookIsNotFound() throws Exception {
		this.mvc.perform(get("/runbooks/no-such-runbook")).andExpect(status().isNotFound());
		this.mvc.perform(get("/api/runbooks/no-such-runbook")).andExpect(status().isNotFound());
	}

	@ParameterizedTest
	@EnumSource(value = Role.class, names = "ADMIN", mode = EnumSource.Mode.EXCLUDE)
	void onlyAdminsReloadRunbooksOrResetTheDemoTarget(Role role) throws Exception {
		this.mvc.perform(post("/runbooks/reload").with(user(SignedIn.demoUser(role)).roles(role.name())).with(csrf()))
			.andExpect(status().isForbidden());
		this.mvc.perform(post("/admin/demo-target/reset").with(user(SignedIn.demoUser(role)).roles(role.name())).with(csrf()))
			.andExpect(status().isForbidden());
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void anAdminReloadsTheRunbooks() throws Exception {
		this.mvc.perform(post("/runbooks/reload").with(csrf()))
			.andExpect(redirectedUrl("/runbooks"))
			.andExpect(flash().attribute("message", containsString("runbooks active")))
			.andExpect(flash().attribute("message", containsString("0 new versions")));
	}

	@Test
	@WithMockUser(username = "admin", roles = "ADMIN")
	void theDiffPageShowsWhatChangedBetweenTwoVersions() throws Exception {
		Path file = Path.of("target", "test-runbooks", "diff-page.yaml");
		Files.createDirectories(file.getParent());
		String yaml = RunbookParserTests.VALID.replace("id: sample", "id: diff-page");
		Files.writeString(file, yaml);
		this.catalog.reload(null);
		String first = this.catalog.get("diff-page").hash();
		Files.writeString(file, yaml.replace("risk: LOW", "risk: HIGH"));
		this.catalog.reload(null);
		String second = this.catalog.get("diff-page").hash();
		try {
			this.mvc.perform(get("/runbooks/diff-page/diff").param("from", first).param("to", second))
				.andExpect(status().isOk())
				.andExpect(content().string(containsString("-risk: LOW")))
				.andExpect(content().string(containsString("+risk: HIGH")));
			this.mvc.perform(get("/runbooks/diff-page/diff").param("from", first).param("to", "0".repeat(64)))
				.andExpect(status().isNotFound());
		}
		finally {
			Files.delete(file);
			this.catalog.reload(null);
		}
	}

	@Test
	@WithMockUser(username = "commander", roles = "COMMANDER")
	void theJsonApiListsAndShowsRunbooks() throws Exception {
		this.mvc.perform(get("/api/runbooks"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[*].id", hasItems("core-schema-202510041230", "memory-schema-rls",
					"knowledge-base-transformation", "sponsor-coaching", "ecto-schema-alignment")))
			.andExpect(jsonPath("$[0].version").isString());
		this.mvc.perform(get("/api/runbooks/memory-schema-rls"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.runbook.decision.start").value("rls-blocking"))
			.andExpect(jsonPath("$.runbook.phases.execute.steps[2].destructive").value(true))
			.andExpect(jsonPath("$.runbook.phases.execute.steps[2].kind").value("SQL"))
			.andExpect(jsonPath("$.runbook.authorization.approvers[0]").value("TEAM_LEAD"));
		this.mvc.perform(get("/v3/api-docs"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.paths['/api/runbooks'].get").exists())
			.andExpect(jsonPath("$.paths['/api/runbooks/{id}'].get").exists())
			.andExpect(jsonPath("$.components.securitySchemes.bearer.scheme").value("bearer"))
			.andExpect(jsonPath("$.security[0].bearer").exists())
			.andExpect(jsonPath("$.paths['/api/runbooks/{id}'].get.responses['404'].content['application/problem+json'].schema['$ref']")
				.value("#/components/schemas/Problem"))
			.andExpect(jsonPath("$.components.schemas.Problem.properties.detail").exists())
			.andExpect(jsonPath("$.webhooks['incident-event'].post.requestBody.content['application/json'].schema['$ref']")
				.value("#/components/schemas/IncidentWebhook"))
			.andExpect(jsonPath("$.webhooks['incident-event'].post.parameters[*].name",
					hasItems("webhook-id", "webhook-timestamp", "webhook-signature")))
			.andExpect(jsonPath("$.components.schemas.IncidentWebhook.properties.link").exists());
	}

	@Test
	void theApiAnswers401ToStrangersAndTheSchemaIsPublic() throws Exception {
		this.mvc.perform(get("/api/runbooks")).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/runbooks/schema.json"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.$schema").value("https://json-schema.org/draft/2020-12/schema"));
	}

}
