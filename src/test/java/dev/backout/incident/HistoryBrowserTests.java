package dev.backout.incident;

import dev.backout.BrowserTest;
import dev.backout.Superuser;
import dev.backout.approval.Approvals;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.DemoTarget;
import dev.backout.target.Targets;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryBrowserTests extends BrowserTest {

	@Autowired
	Incidents incidents;

	@Autowired
	IncidentApprovals incidentApprovals;

	@Autowired
	IncidentSteps incidentSteps;

	@Autowired
	Approvals approvals;

	@Autowired
	RunbookCatalog catalog;

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Autowired
	JdbcClient jdbc;

	@Test
	void anAuditorOpensTheHistoryOfACompletedIncident() throws Exception {
		Incident completed = CompletedIncidents.complete(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, this.catalog, this.demo, this.targets);
		signIn("auditor");
		this.browser.findElement(By.linkText("History")).click();
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "History"));
		new Select(this.browser.findElement(By.name("state"))).selectByVisibleText("Completed");
		this.browser.findElement(By.name("person")).sendKeys("commander");
		this.browser.findElement(By.cssSelector("form.filters button[type=submit]")).click();
		this.await.until(ExpectedConditions.urlContains("state=COMPLETED"));
		// The form shows the search it answered.
		assertThat(new Select(this.browser.findElement(By.name("state"))).getFirstSelectedOption().getText()).isEqualTo("Completed");
		assertThat(this.browser.findElement(By.name("person")).getDomProperty("value")).isEqualTo("commander");
		screenshot("history-filtered");
		assertAccessible(this.browser, "history-filtered");
		this.browser.findElement(By.linkText(String.valueOf(completed.id()))).click();
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.id("timeline")));
		String timeline = this.browser.findElement(By.id("timeline")).getText();
		assertThat(timeline).contains("Incident opened", "Decision answered", "Approval given", "Step succeeded", "Incident completed");
		screenshot("timeline");
		assertAccessible(this.browser, "timeline");
		((JavascriptExecutor) this.browser).executeScript("window.scrollTo(0, document.body.scrollHeight / 2)");
		screenshot("timeline-steps");
		this.browser.get(url("/history"));
		this.browser.findElement(By.linkText("Verify the trail")).click();
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.id("verdict")));
		assertThat(this.browser.findElement(By.id("verdict")).getText()).contains("Intact", "events verified up to hash");
		screenshot("trail-verified");
		assertAccessible(this.browser, "trail-verified");

		// The console's role loses the right to read the trail: no verdict, said so.
		String role = this.jdbc.sql("select current_user").query(String.class).single();
		JdbcClient superuser = Superuser.onConsoleDatabase(this.demo, this.jdbc);
		superuser.sql("revoke select on audit_event from " + role).update();
		try {
			this.browser.navigate().refresh();
			this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.id("verdict"), "Not verified"));
			assertThat(this.browser.findElement(By.id("verdict")).getText()).contains("Cannot read the trail").doesNotContain("Intact");
			screenshot("trail-unreadable");
			assertAccessible(this.browser, "trail-unreadable");
		}
		finally {
			superuser.sql("grant select on audit_event to " + role).update();
		}
	}

}
