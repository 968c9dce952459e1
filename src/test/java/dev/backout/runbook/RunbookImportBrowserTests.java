package dev.backout.runbook;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;

/** An admin gets seed 000 in: pastes it, reads what the console would refuse, fixes it in the draft, checks again. */
class RunbookImportBrowserTests extends BrowserTest {

	@Test
	void aRunbookAuthorImportsSeed002WithTheThreeScriptsItRuns() throws Exception {
		java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("seed002-scripts");
		java.util.List<String> paths = new java.util.ArrayList<>();
		for (java.util.Map.Entry<String, String> script : dev.backout.SeedDocuments.scripts("002-knowledge-base-transformation").entrySet()) {
			java.nio.file.Path file = folder.resolve(script.getKey().substring(script.getKey().lastIndexOf('/') + 1));
			java.nio.file.Files.writeString(file, script.getValue());
			paths.add(file.toAbsolutePath().toString());
		}
		signIn("author");
		this.browser.get(url("/runbooks/import"));
		this.browser.findElement(By.name("id")).sendKeys("kb-transformation");
		setValue(this.browser.findElement(By.name("markdown")), dev.backout.SeedDocuments.document("002-knowledge-base-transformation"));
		// Three files chosen at once, as in the file dialog.
		this.browser.findElement(By.name("scripts")).sendKeys(String.join("\n", paths));
		submit(this.browser, By.xpath("//button[normalize-space()='Make a draft']"));
		assertThat(this.browser.findElement(By.cssSelector(".import-coverage")).getText())
			.contains("3 of 5 runs of a script became steps");
		assertThat(this.browser.findElement(By.name("yaml")).getAttribute("value"))
			.contains("title: Rollback OAuth (012) (012_rollback_oauth.sql)", "ALTER TYPE user_role RENAME VALUE 'kb_owner' TO 'professional';");
		screenshot("draft");
	}

	@Test
	void anAdminImportsSeed000AndFixesTheErrorTheDraftShows() throws Exception {
		String markdown;
		try (InputStream in = getClass().getResourceAsStream("/seeds/000-core-schema.md")) {
			markdown = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		signIn("admin");
		this.browser.get(url("/runbooks"));
		this.browser.findElement(By.linkText("Import a rollback document")).click();
		this.browser.findElement(By.name("id")).sendKeys("core-schema");
		// Pasted, as a person would: typing 2,700 characters key by key adds nothing to the test.
		setValue(this.browser.findElement(By.name("markdown")), markdown);
		screenshot("form");
		submit(this.browser, By.xpath("//button[normalize-space()='Make a draft']"));
		assertThat(this.browser.findElement(By.cssSelector(".import-coverage")).getText()).contains("5 of 5 SQL blocks");
		assertThat(this.browser.findElement(By.cssSelector("ul.problems")).getText()).contains("required property 'verify' not found");
		screenshot("draft");
		assertAccessible(this.browser, "draft");

		WebElement yaml = this.browser.findElement(By.name("yaml"));
		setValue(yaml, yaml.getAttribute("value").replace("phases:\n", """
				phases:
				  verify:
				    steps:
				      - id: tables-gone
				        title: The tables are gone
				        check: SELECT count(*) FROM information_schema.tables WHERE table_name = 'vision'
				        expect: { equals: 0 }
				"""));
		submit(this.browser, By.xpath("//button[normalize-space()='Check']"));
		assertThat(this.browser.findElement(By.cssSelector(".notice.success")).getText())
			.isEqualTo("No errors: the console would load this runbook. Its warnings:");
		screenshot("fixed");
	}

	private void setValue(WebElement field, String value) {
		((JavascriptExecutor) this.browser).executeScript("arguments[0].value = arguments[1]", field, value);
	}

}
