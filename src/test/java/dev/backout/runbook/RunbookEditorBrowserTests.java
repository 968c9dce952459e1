package dev.backout.runbook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** A runbook author writes a runbook in the browser, fixes the error the live check shows, and saves it. */
class RunbookEditorBrowserTests extends BrowserTest {

	@Autowired
	RunbookCatalog catalog;

	final String id = "editor-browser-" + System.nanoTime() % 1_000_000;

	@AfterEach
	void removeTheRunbook() throws Exception {
		Files.deleteIfExists(Path.of("target", "test-runbooks", this.id + ".yaml"));
		this.catalog.reload(null);
	}

	@Test
	void anAuthorFixesTheErrorTheEditorShowsAndSaves() {
		signIn("author");
		this.browser.get(url("/runbooks"));
		this.browser.findElement(By.linkText("New runbook")).click();
		WebElement yaml = this.browser.findElement(By.name("yaml"));
		// The author's text, pasted: a check that writes, which the console refuses.
		paste(yaml, RunbookParserTests.VALID.replace("id: sample", "id: " + this.id)
			.replace("check: SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_things'", "check: DELETE FROM things"));
		yaml.sendKeys(Keys.END, " ");
		WebDriverWait live = new WebDriverWait(this.browser, Duration.ofSeconds(10));
		live.until((d) -> d.findElement(By.id("editor-feedback")).getText().contains("A check must be read-only"));
		// Where the check is: its line and column in the text being typed.
		assertThat(this.browser.findElement(By.cssSelector("ul.problems li.error")).getText()).startsWith("line 33, column 16: A check");
		screenshot("error-shown");
		assertAccessible(this.browser, "editor");

		paste(this.browser.findElement(By.name("yaml")), RunbookParserTests.VALID.replace("id: sample", "id: " + this.id));
		this.browser.findElement(By.name("yaml")).sendKeys(Keys.END, " ");
		live.until((d) -> d.findElement(By.id("editor-feedback")).getText().contains("None: the console would load this runbook."));
		assertThat(this.browser.findElement(By.cssSelector(".preview")).getText()).contains("Sample rollback", "Is it broken?",
				"Drop the table");
		screenshot("fixed");
		submit(this.browser, By.xpath("//button[normalize-space()='Save as a new runbook']"));
		assertThat(this.browser.getCurrentUrl()).endsWith("/runbooks/" + this.id);
		assertThat(this.browser.findElement(By.cssSelector(".notice.success")).getText()).startsWith("Saved: version ");
		screenshot("saved");
	}

	private void paste(WebElement field, String text) {
		((JavascriptExecutor) this.browser).executeScript("arguments[0].value = arguments[1]", field, text);
	}

}
