package dev.backout.incident;

import dev.backout.BrowserTest;
import dev.backout.ScratchTargets;
import dev.backout.SignedIn;
import dev.backout.approval.Approvals;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.security.Role;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An admin repoints the target of an approved incident: its commander finds it halted, told why,
 * and asks approvers for the plan as it now is. The trail page shows the numbered checkpoints.
 */
class RepointedTargetBrowserTests extends BrowserTest {

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

	@AfterEach
	void cleanUp() throws Exception {
		SecurityContextHolder.clearContext();
		InterruptedSteps.forget();
	}

	@Test
	void theCommanderOfAHaltedIncidentAsksForApprovalOfThePlanAsItNowIs() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = InterruptedSteps.prepare(this.catalog, scratch, "repoint-browser");
		Incident incident = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch).approved(target);
		Target elsewhere = scratch.create("repoint-browser-elsewhere", "CREATE TABLE things (n int)");
		this.targets.update(target.id(), Targets.TargetSpec.of(target).withJdbcUrl(elsewhere.jdbcUrl()),
				SignedIn.as("admin", Role.ADMIN));
		SecurityContextHolder.clearContext();

		signIn("commander");
		this.await.until(ExpectedConditions.urlToBe(url("/")));
		this.browser.get(url("/incidents/" + incident.id()));
		assertThat(this.browser.findElement(By.cssSelector(".notice.halted")).getText())
			.startsWith("Halted: the plan changed since it was approved.");
		assertThat(this.browser.findElements(By.xpath("//button[normalize-space()='Retry the step']"))).isEmpty();
		assertThat(this.browser.findElement(By.cssSelector("section.approval")).getText())
			.contains("Request withdrawn: the approvals below were for an earlier plan").doesNotContain("approvals for the current plan");
		((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("arguments[0].scrollIntoView({block: 'center'})",
				this.browser.findElement(By.cssSelector(".notice.halted")));
		screenshot("halted");

		submit(this.browser, By.xpath("//button[normalize-space()='Request approval again']"));
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".page-head, hgroup, main"),
				IncidentState.AWAITING_APPROVAL.label()));
		screenshot("awaiting-approval");
		Incident awaiting = this.incidents.get(incident.id());
		assertThat(awaiting.state()).isEqualTo(IncidentState.AWAITING_APPROVAL);
		// Browser tests share approvers' queues: leave none behind.
		this.incidents.abort(incident.id(), awaiting.version(), "browser test done", SignedIn.as("commander", Role.COMMANDER));
	}

	@Test
	void theTrailPageListsNumberedCheckpointsWithWhyEachWasWritten() {
		signIn("auditor");
		this.await.until(ExpectedConditions.urlToBe(url("/")));
		this.browser.get(url("/history/trail"));
		assertThat(this.browser.findElement(By.id("verdict")).getText()).startsWith("Intact");
		assertThat(this.browser.findElement(By.cssSelector("table.compact")).getText()).contains("No.", "Why", "start-up");
		screenshot("trail");
	}

}
