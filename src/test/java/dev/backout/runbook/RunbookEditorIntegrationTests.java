package dev.backout.runbook;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The runbook editor (issue 13, item 5): a runbook author saves a new runbook and a new version of
 * it into the runbooks folder; a save over someone else's newer version, over a built-in runbook,
 * or with errors is refused with nothing written; only authors and admins reach it.
 */
@IntegrationTest
class RunbookEditorIntegrationTests {

	static final Path FOLDER = Path.of("target", "test-runbooks");

	@Autowired
	MockMvc mvc;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	JdbcClient jdbc;

	final String id = "editor-test-" + System.nanoTime() % 1_000_000;

	@AfterEach
	void removeTheRunbook() throws Exception {
		Files.deleteIfExists(FOLDER.resolve(this.id + ".yaml"));
		this.catalog.reload(null);
	}

	@Test
	void anAuthorSavesANewRunbookThenANewVersionAndAStaleVersionIsRefused() throws Exception {
		String first = RunbookParserTests.VALID.replace("id: sample", "id: " + this.id);
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", first).with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(redirectedUrl("/runbooks/" + this.id))
			.andExpect(flash().attribute("message", containsString("is active")));
		assertThat(Files.readString(FOLDER.resolve(this.id + ".yaml"))).isEqualTo(first);
		String firstHash = this.catalog.get(this.id).hash();
		assertThat(this.jdbc.sql("select count(*) from audit_event where action = 'RUNBOOK_VERSION_ADDED' and actor = 'author' "
				+ "and details ->> 'runbook' = :id").param("id", this.id).query(Long.class).single()).isEqualTo(1);

		String second = first.replace("title: Sample rollback", "title: Sample rollback, second version");
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", second).param("baseHash", firstHash)
				.with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(redirectedUrl("/runbooks/" + this.id));
		assertThat(this.catalog.get(this.id).runbook().title()).isEqualTo("Sample rollback, second version");

		// Someone still editing the first version saves: refused, the second version stays.
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", first.replace("risk: LOW", "risk: HIGH")).param("baseHash", firstHash)
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("changed since you opened it")));
		assertThat(Files.readString(FOLDER.resolve(this.id + ".yaml"))).isEqualTo(second);
		// A new runbook may not take an existing id.
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", first).with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(content().string(containsString("exists already")));
	}

	@Test
	void errorsAndBuiltInRunbooksAreNotSaved() throws Exception {
		String broken = RunbookParserTests.VALID.replace("id: sample", "id: " + this.id).replace("risk: LOW", "risk: SCARY");
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", broken).with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Fix the errors first: nothing was saved.")))
			.andExpect(content().string(containsString("line 4, column 7")));
		assertThat(FOLDER.resolve(this.id + ".yaml")).doesNotExist();

		LoadedRunbook seed = this.catalog.get("memory-schema-rls");
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", seed.source().replace("risk: LOW", "risk: MEDIUM"))
				.param("baseHash", seed.hash()).with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(content().string(containsString("is built into the console")));
		assertThat(this.catalog.get("memory-schema-rls").hash()).isEqualTo(seed.hash());
	}

	@Test
	void theLiveCheckAnswersWithProblemsAndPreviewAndOnlyAuthorsAndAdminsEdit() throws Exception {
		this.mvc.perform(post("/runbooks/editor/check").header("HX-Request", "true")
				.param("yaml", RunbookParserTests.VALID.replace("risk: LOW", "risk: LOW\nowner: me")
					.replace("check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'", "check: DELETE FROM things"))
				.with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("property &#39;owner&#39; is not defined")))
			.andExpect(content().string(containsString("A check must be read-only")))
			.andExpect(content().string(not(containsString("<html"))));
		this.mvc.perform(get("/runbooks/memory-schema-rls/edit").with(user("author").roles("RUNBOOK_AUTHOR")))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Save as a new version")))
			.andExpect(content().string(containsString("Preview")));
		for (dev.backout.security.Role role : new dev.backout.security.Role[] { dev.backout.security.Role.COMMANDER,
				dev.backout.security.Role.TEAM_LEAD, dev.backout.security.Role.AUDITOR }) {
			String someone = dev.backout.SignedIn.demoUser(role);
			this.mvc.perform(get("/runbooks/editor").with(user(someone).roles(role.name()))).andExpect(status().isForbidden());
			this.mvc.perform(post("/runbooks/editor/save").param("yaml", RunbookParserTests.VALID)
					.with(user(someone).roles(role.name())).with(csrf())).andExpect(status().isForbidden());
		}
		this.mvc.perform(post("/runbooks/editor/save").param("yaml", RunbookParserTests.VALID).with(user("author").roles("RUNBOOK_AUTHOR")))
			.andExpect(status().isForbidden());
	}

}
