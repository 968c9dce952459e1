package dev.backout.runbook;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import dev.backout.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The import page: a draft with what landed and every problem, checked again after an edit; admins only. */
@IntegrationTest
class RunbookImportIntegrationTests {

	@Autowired
	MockMvc mvc;

	@Test
	void anAdminImportsASeedFixesWhatTheConsoleReportsAndDownloadsTheDraft() throws Exception {
		String markdown;
		try (InputStream in = getClass().getResourceAsStream("/seeds/000-core-schema.md")) {
			markdown = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		String page = this.mvc
			.perform(post("/runbooks/import").param("id", "core-schema").param("markdown", markdown)
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("5 of 5</strong> SQL blocks")))
			.andExpect(content().string(containsString("The document has no verify steps: the runbook needs them.")))
			.andExpect(content().string(containsString("DROP POLICY IF EXISTS chat_message_owner_manage ON chat_message;")))
			.andReturn().getResponse().getContentAsString();
		org.assertj.core.api.Assertions.assertThat(page).doesNotContain("the console would load this runbook");

		String draft = dev.backout.runbook.MarkdownImport.of("core-schema", markdown).yaml();
		String fixed = draft.replace("phases:\n", """
				phases:
				  verify:
				    steps:
				      - id: tables-gone
				        title: The tables are gone
				        check: SELECT count(*) FROM information_schema.tables WHERE table_name = 'vision'
				        expect: { equals: 0 }
				""");
		this.mvc.perform(post("/runbooks/editor/check").param("yaml", fixed)
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("No errors: the console would load this runbook. Its warnings:")))
			.andExpect(content().string(containsString("has no countBefore")));
		this.mvc.perform(post("/runbooks/editor/download").param("yaml", fixed)
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(header().string("Content-Disposition", "attachment; filename=\"core-schema.yaml\""))
			.andExpect(content().string(containsString("id: tables-gone")));
	}

	@Test
	void aDocumentImportedWithTheScriptsItRunsHasThemAsSteps() throws Exception {
		String seed = "002-knowledge-base-transformation";
		java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
		try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
			for (java.util.Map.Entry<String, String> script : dev.backout.SeedDocuments.scripts(seed).entrySet()) {
				out.putNextEntry(new java.util.zip.ZipEntry(script.getKey()));
				out.write(script.getValue().getBytes(StandardCharsets.UTF_8));
			}
		}
		var multipart = org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import");
		this.mvc.perform(multipart.file(new org.springframework.mock.web.MockMultipartFile("scripts", "rollback.zip", "application/zip",
					zip.toByteArray()))
				.param("id", "kb").param("markdown", dev.backout.SeedDocuments.document(seed))
				.with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("3 of 5</strong>")))
			.andExpect(content().string(containsString("ALTER TYPE user_role RENAME VALUE &#39;kb_owner&#39; TO &#39;professional&#39;;")));
		// One .sql file on its own works too; a broken zip is a message, not a 500.
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import")
				.file(new org.springframework.mock.web.MockMultipartFile("scripts", "012_rollback_oauth.sql", "application/sql",
						"ALTER TABLE users DROP COLUMN IF EXISTS oauth_id;".getBytes(StandardCharsets.UTF_8)))
				.param("id", "kb").param("markdown", dev.backout.SeedDocuments.document(seed))
				.with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("1 of 5</strong>")));
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import")
				.file(new org.springframework.mock.web.MockMultipartFile("scripts", "x.zip", "application/zip", "not a zip".getBytes()))
				.param("id", "kb").param("markdown", "# x")
				.with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("The scripts cannot be read")))
			.andExpect(content().string(not(containsString("Exception"))));
	}

	@Test
	void onlyAdminsImportAndEveryInputIsBounded() throws Exception {
		this.mvc.perform(get("/runbooks/import").with(user("commander").roles("COMMANDER"))).andExpect(status().isForbidden());
		this.mvc.perform(post("/runbooks/import").param("id", "x").param("markdown", "# x")
				.with(user("commander").roles("COMMANDER")).with(csrf()))
			.andExpect(status().isForbidden());
		this.mvc.perform(post("/runbooks/import").param("id", "x").param("markdown", "# x").with(user("admin").roles("ADMIN")))
			.andExpect(status().isForbidden()); // no CSRF token
		this.mvc.perform(post("/runbooks/import").param("id", "big").param("markdown", "x".repeat(200_001))
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isBadRequest())
			.andExpect(content().string(containsString("document")))
			.andExpect(content().string(not(containsString("Exception"))));
		this.mvc.perform(post("/runbooks/editor/check").param("yaml", "id: [unclosed")
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("YAML syntax")));
	}

	@Test
	void aZippedSqitchProjectBecomesADraftAndABrokenArchiveAPlainMessage() throws Exception {
		java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
		try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
			out.putNextEntry(new java.util.zip.ZipEntry("flipr/sqitch.plan"));
			out.write(dev.backout.incident.SqitchFixture.PLAN.getBytes(StandardCharsets.UTF_8));
			for (var file : dev.backout.incident.SqitchFixture.SCRIPTS.entrySet()) {
				out.putNextEntry(new java.util.zip.ZipEntry("flipr/" + file.getKey()));
				out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
			}
		}
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import/sqitch")
				.file(new org.springframework.mock.web.MockMultipartFile("project", "flipr.zip", "application/zip", zip.toByteArray()))
				.param("id", "flipr-revert").param("last", "3").with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Reverted, newest first: <strong>users, userstats, flips</strong>")))
			.andExpect(content().string(containsString("No errors: the console would load this runbook.")));
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import/sqitch")
				.file(new org.springframework.mock.web.MockMultipartFile("project", "flipr.zip", "application/zip", zip.toByteArray()))
				.param("id", "flipr-revert").param("last", "9").with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("The plan has 5 changes; revert between 1 and 5 of them.")));
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import/sqitch")
				.file(new org.springframework.mock.web.MockMultipartFile("project", "x.zip", "application/zip", "not a zip".getBytes()))
				.param("id", "x").param("last", "1").with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("The archive holds no sqitch.plan.")));
	}

	@Test
	void alembicOfflineSqlPastedOnThePageBecomesADraft() throws Exception {
		this.mvc.perform(post("/runbooks/import/alembic").param("id", "orders-downgrade")
				.param("sql", "BEGIN;\n-- Running downgrade c3 -> b2\nDROP INDEX ix_orders;\n"
						+ "UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'c3';\nCOMMIT;\n")
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("Reverted, newest first: <strong>c3</strong>")))
			.andExpect(content().string(containsString("No errors: the console would load this runbook.")));
		this.mvc.perform(post("/runbooks/import/alembic").param("id", "x").param("sql", "SELECT 1;")
				.with(user("admin").roles("ADMIN")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("No &quot;-- Running downgrade X -&gt; Y&quot; section")));
	}

	@Test
	void aLiquibaseArchiveWithoutTheNamedChangelogSaysWhatItHolds() throws Exception {
		java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
		try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(zip)) {
			out.putNextEntry(new java.util.zip.ZipEntry("db/other.yaml"));
			out.write("databaseChangeLog: []".getBytes(StandardCharsets.UTF_8));
		}
		this.mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart("/runbooks/import/liquibase")
				.file(new org.springframework.mock.web.MockMultipartFile("project", "db.zip", "application/zip", zip.toByteArray()))
				.param("id", "x").param("last", "1").param("changelog", "db/changelog.yaml")
				.with(user("author").roles("RUNBOOK_AUTHOR")).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(content().string(containsString("The archive holds no db/changelog.yaml; its files start with [db/other.yaml].")));
	}

}
