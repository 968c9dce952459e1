package dev.backout.incident;

import java.time.Duration;
import java.util.List;

import dev.backout.BrowserTest;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two people in two browsers: the commander rolls back seed 001 (memory_chunks) on the demo
 * target, the team lead approves it. Screenshots of every stage go to target/screenshots/.
 */
class IncidentBrowserTests extends BrowserTest {

	@Autowired
	DemoTarget demo;

	@Test
	void aCommanderAndATeamLeadRollBackSeed001FromStartToCompleted() {
		this.demo.reset(new TestingAuthenticationToken("admin", null, "ROLE_ADMIN"));
		WebDriver commander = this.browser;
		signIn(commander, "commander");

		// Start
		commander.get(url("/incidents/new"));
		new Select(commander.findElement(By.name("runbookId"))).selectByValue("memory-schema-rls");
		new Select(commander.findElement(By.name("targetId"))).selectByVisibleText("demo — demo, demo");
		commander.findElement(By.name("symptom")).sendKeys("Every query on memory_chunks returns nothing since the deploy");
		new Select(commander.findElement(By.name("severity"))).selectByValue("SEV1");
		submit(commander, By.cssSelector("main form button[type=submit]"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Deciding");
		assertThat(commander.findElement(By.cssSelector(".countdown-clock")).getText()).matches("\\d+:\\d\\d|overdue by .*");
		screenshot(commander, "1-triage");
		assertAccessible(commander, "1-triage");

		// Decide
		submit(commander, By.xpath("//div[@class='answers']//button[normalize-space()='Yes']"));
		assertThat(commander.findElement(By.cssSelector(".outcome-card")).getText()).contains("Roll back");
		screenshot(commander, "2-decision");
		submit(commander, By.xpath("//button[starts-with(normalize-space(), 'Confirm:')]"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Pre-checks");

		// Pre-checks: they only read, so confirming the decision ran them.
		assertThat(commander.findElement(By.cssSelector(".notice.success")).getText())
			.isEqualTo("Decision confirmed. All 5 pre-checks passed.");
		submit(commander, By.cssSelector("#row-staging-rehearsed form.tick button"));
		// A ticked item with nothing to fill in says who ticked it, not the journal's state name.
		assertThat(commander.findElement(By.cssSelector(".notice.success")).getText()).isEqualTo("\"staging-rehearsed\" ticked.");
		assertThat(commander.findElement(By.cssSelector("#row-staging-rehearsed")).getText()).contains("ticked by commander")
			.doesNotContain("SUCCEEDED");
		screenshot(commander, "3-prechecks");
		assertAccessible(commander, "3-prechecks");
		// A rehearsal of the exact plan, rolled back, before anyone is asked to approve it.
		submit(commander, By.xpath("//button[normalize-space()='Rehearse the plan on demo']"));
		assertThat(commander.findElement(By.cssSelector(".notice.success")).getText()).startsWith("Rehearsal Passed: 9 step(s) ran");
		assertThat(commander.findElement(By.cssSelector("table.rehearsed-steps")).getText())
			.contains("Drop the memory_chunks table", "rows at stake: 10000", "AccessExclusiveLock on memory_chunks");
		scrollTo(commander, commander.findElement(By.id("rehearsal")));
		screenshot(commander, "3b-rehearsed");
		assertAccessible(commander, "3b-rehearsed");
		submit(commander, By.xpath("//button[normalize-space()='Request approval']"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Awaiting approval");
		// The commander's page stays open: it must follow the approval by itself, without a reload.
		((JavascriptExecutor) commander).executeScript("window.stillTheSamePage = true");
		assertThat(commander.findElement(By.id("next-action")).getText()).contains("Team lead or CTO",
				"Review and approve the plan");

		// The team lead approves in a browser of their own
		WebDriver lead = openBrowser();
		signIn(lead, "lead");
		assertThat(lead.findElement(By.cssSelector(".topbar .count")).getText()).isEqualTo("1");
		lead.findElement(By.partialLinkText("Approvals")).click();
		String incident = commander.getCurrentUrl().replaceAll(".*/incidents/(\\d+).*", "$1");
		lead.findElement(By.cssSelector("a[href='/approvals/" + incident + "']")).click();
		new WebDriverWait(lead, Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.decide")));
		assertThat(lead.findElement(By.tagName("main")).getText()).contains("DROP TABLE IF EXISTS memory_chunks", "rows at stake: 10000",
				"Is RLS blocking all queries?", "Rehearsal", "Passed: 9 step(s) ran and were rolled back on demo");
		lead.findElement(By.name("comment")).sendKeys("Checked the plan and the backup; go");
		screenshot(lead, "4-approval-review");
		assertAccessible(lead, "4-approval-review");
		assertThat(((Number) ((JavascriptExecutor) lead).executeScript(
				"return document.documentElement.scrollWidth - window.innerWidth")).intValue()).as("sideways scroll on the review").isLessThanOrEqualTo(0);
		submit(lead, By.xpath("//button[normalize-space()='Approve']"));
		assertThat(lead.findElement(By.cssSelector(".notice.success")).getText()).isEqualTo("Approved: the incident may execute.");

		// The commander executes: the open page turned to Approved by itself
		new WebDriverWait(commander, Duration.ofSeconds(15))
			.until((d) -> settled(d) && d.findElement(By.id("incident-state")).getText().equals("Approved"));
		assertThat(((JavascriptExecutor) commander).executeScript("return window.stillTheSamePage")).isEqualTo(true);
		assertThat(commander.findElement(By.id("next-action")).getText()).contains("commander", "Database backup created");
		assertThat(commander.findElement(By.cssSelector(".cockpit-bar .rail [aria-current=step]")).getText()).isEqualTo("Execute");
		screenshot(commander, "4b-approved-live");
		// Ticking the checklist item goes on with the automatic steps after it, up to the destructive one.
		runNext(commander, "database-dump");
		assertThat(commander.findElement(By.cssSelector(".notice.success")).getText())
			.isEqualTo("\"database-dump\" ticked, then 3 automatic step(s) ran; the last, \"drop-rls-policy\", succeeded.");
		assertThat(commander.findElement(By.cssSelector("#row-copy-memory-chunks")).getText()).contains("memory_chunks: 10000 rows copied");
		assertThat(commander.findElement(By.cssSelector("#row-drop-vector-indexes .badge")).getText()).isEqualTo("succeeded");
		// The rows at stake are counted (read-only) once the confirmation is on screen.
		new org.openqa.selenium.support.ui.WebDriverWait(commander, java.time.Duration.ofSeconds(10))
			.until((d) -> d.findElement(By.cssSelector("#row-drop-memory-chunks")).getText().contains("Rows at stake now"));
		WebElement destructive = commander.findElement(By.cssSelector("#row-drop-memory-chunks"));
		assertThat(destructive.getText()).contains("Rows at stake now: 10000", "Type DROP memory_chunks to run this step",
				"It also:", "drops table memory_chunks: about 10000 rows", "Data is lost here");
		scrollTo(commander, destructive);
		screenshot(commander, "5-destructive-confirmation");
		assertAccessible(commander, "5-destructive-confirmation");
		destructive.findElement(By.name("confirmation")).sendKeys("DROP memory_chunks");
		// This time only the step itself: the person unticks "then run the automatic steps that follow".
		destructive.findElement(By.name("then")).click();
		submit(commander, By.cssSelector("#row-drop-memory-chunks form.run-step button"));
		// A DROP reports what it removed, not "0 rows".
		assertThat(commander.findElement(By.cssSelector("#row-drop-memory-chunks .run-facts")).getText())
			.contains("removed: DROP TABLE IF EXISTS memory_chunks", "rows at stake before: 10000").doesNotContain("· 0 rows");
		assertThat(commander.findElement(By.cssSelector("#row-downgrade-alembic-version .badge")).getText()).isEqualTo("pending");
		submit(commander, By.xpath("//button[normalize-space()='Run rest of phase']"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Verifying");
		submit(commander, By.xpath("//button[normalize-space()='Run rest of phase']"));
		assertThat(commander.findElement(By.cssSelector("#row-history-updated")).getText()).contains("succeeded", "20251012_conversation_index");
		scrollTo(commander, commander.findElement(By.cssSelector("#row-table-removed")));
		screenshot(commander, "6-verified");
		for (String item : List.of("api-restarted", "health-checks", "no-memory-errors", "metrics-baseline", "incident-report",
				"stakeholders-notified", "root-cause")) {
			runNext(commander, item);
		}

		// Finish
		commander.findElement(By.name("summary")).sendKeys("RLS blocked all memory queries; rolled back TASK A. Post-mortem tomorrow.");
		submit(commander, By.xpath("//button[normalize-space()='Close as completed']"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Completed");
		assertThat(commander.findElement(By.cssSelector(".schema-diff")).getText()).contains("- table public.memory_chunks (row level security)");
		scrollTo(commander, commander.findElement(By.cssSelector(".schema-diff")));
		screenshot(commander, "7-completed");
		assertAccessible(commander, "7-completed");
	}

	@Test
	void fixForwardClosesTheIncidentWithoutTouchingTheTarget() {
		signIn("commander");
		this.browser.get(url("/incidents/new"));
		new Select(this.browser.findElement(By.name("runbookId"))).selectByValue("knowledge-base-transformation");
		new Select(this.browser.findElement(By.name("targetId"))).selectByVisibleText("demo — demo, demo");
		this.browser.findElement(By.name("symptom")).sendKeys("The KB list page shows a layout glitch");
		submit(this.browser, By.cssSelector("main form button[type=submit]"));
		submit(this.browser, By.xpath("//div[@class='answers']//button[normalize-space()='No']"));
		assertThat(this.browser.findElement(By.cssSelector(".outcome-card")).getText()).contains("Fix forward");
		this.browser.findElement(By.name("reason")).sendKeys("UI-only issue, hotfix in review");
		screenshot("fix-forward-decision");
		submit(this.browser, By.xpath("//button[starts-with(normalize-space(), 'Confirm:')]"));
		assertThat(this.browser.findElement(By.id("incident-state")).getText()).isEqualTo("Closed");
		assertThat(this.browser.findElement(By.cssSelector(".decided")).getText()).contains("Fix forward", "UI-only issue, hotfix in review");
		assertThat(this.browser.findElements(By.id("steps"))).isEmpty();
		screenshot("fix-forward-closed");
	}

	/** Runs (or ticks) the step shown as next, filling its inputs, and waits for the page to come back. */
	private void runNext(WebDriver driver, String stepId) {
		WebElement form = driver.findElement(By.cssSelector("#row-" + stepId + " form.run-step"));
		for (WebElement input : form.findElements(By.cssSelector("input[type=text]"))) {
			if (!input.getAttribute("name").equals("confirmation")) {
				input.sendKeys("recorded in the browser test");
			}
		}
		for (WebElement select : form.findElements(By.tagName("select"))) {
			new Select(select).selectByIndex(1);
		}
		submit(driver, By.cssSelector("#row-" + stepId + " form.run-step button"));
		assertThat(driver.findElements(By.cssSelector(".notice.error"))).as("after %s", stepId).isEmpty();
		assertThat(driver.findElement(By.cssSelector("#row-" + stepId + " .badge")).getText()).as(stepId).isEqualTo("succeeded");
	}

	private static void scrollTo(WebDriver driver, WebElement element) {
		((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'start'})", element);
	}

}
