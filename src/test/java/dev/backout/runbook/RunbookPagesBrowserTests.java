package dev.backout.runbook;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import static org.assertj.core.api.Assertions.assertThat;

class RunbookPagesBrowserTests extends BrowserTest {

	@Test
	void theRunbookPageDrawsTheDecisionTreeAndTheAuthorizationRule() {
		signIn("commander");
		this.await.until(ExpectedConditions.urlToBe(url("/")));
		this.browser.findElement(By.linkText("Runbooks")).click();
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Runbooks"));
		assertThat(this.browser.findElement(By.cssSelector("table.runbooks")).getText()).contains("Core schema migration 202510041230",
				"TASK A: memory_chunks schema", "Knowledge-base transformation", "Sponsor sequence fix and coaching tables",
				"Ecto schema alignment");
		screenshot("list");

		this.browser.findElement(By.partialLinkText("memory_chunks")).click();
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision-tree")));
		WebElement tree = this.browser.findElement(By.id("decision-tree"));
		assertThat(tree.findElements(By.cssSelector(".question"))).extracting(WebElement::getText)
			.containsExactly("Is RLS blocking all queries?", "Are the new indexes causing query slowness?",
					"Is there data corruption?");
		assertThat(tree.findElements(By.cssSelector(".outcome strong"))).extracting(WebElement::getText)
			.containsExactly("Roll back", "Partial rollback", "Roll back and restore", "Continue");
		assertThat(this.browser.findElement(By.cssSelector(".authorization")).getText()).isEqualTo(
				"1 approval from Team lead or CTO; On-call engineer may approve when the team lead is unreachable; "
						+ "decide within 30 minutes; the commander cannot approve.");
		assertThat(this.browser.findElement(By.id("step-drop-memory-chunks")).getText()).contains("destructive",
				"Requires typing DROP memory_chunks");
		((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("arguments[0].scrollIntoView()", tree);
		screenshot("decision-tree");
	}

}
