package dev.backout.incident;

import java.time.Duration;

import dev.backout.BrowserTest;
import dev.backout.ScratchTargets;
import dev.backout.approval.Approvals;
import dev.backout.runbook.RunbookCatalog;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A commander meets a step whose outcome the console could not learn (a console died while it
 * built an index outside a transaction): the page says so, runs the verification checks on
 * request, and takes the commander's verdict.
 */
class SettleStepBrowserTests extends BrowserTest {

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
	void aCommanderSettlesAnInterruptedStepAsAppliedHelpedByTheVerificationChecks() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = InterruptedSteps.prepare(this.catalog, scratch, "settle-browser");
		InterruptedSteps interrupted = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch);
		Incident incident = interrupted.approved(target);
		interrupted.leaveInterrupted(incident.id(), target);
		SecurityContextHolder.clearContext();

		signIn("commander");
		this.browser.get(url("/incidents/" + incident.id()));
		// The view settles the attempt itself, unless the console's scheduled pass holds the incident
		// for longer than the view waits (seen on a loaded CI machine): then a reload shows the pass's verdict.
		new WebDriverWait(this.browser, Duration.ofSeconds(20)).pollingEvery(Duration.ofSeconds(1)).until((page) -> {
			if (page.findElement(By.id("incident-state")).getText().equals("Halted")) {
				return true;
			}
			page.navigate().refresh();
			return false;
		});
		WebElement panel = this.browser.findElement(By.cssSelector(".notice.settle"));
		assertThat(panel.getText()).contains("Halted: the outcome of “Build the index” is not known.")
			.contains("It ran outside a transaction");
		assertThat(this.browser.findElement(By.id("incident-state")).getText()).isEqualTo("Halted");

		submit(this.browser, By.xpath("//button[normalize-space()='Run the verification checks (read-only)']"));
		WebElement evidence = this.browser.findElement(By.cssSelector("table.evidence"));
		assertThat(evidence.getText()).contains("The index exists").contains("Expected: 1").contains("passes");
		((JavascriptExecutor) this.browser).executeScript("arguments[0].scrollIntoView({block: 'start'})",
				this.browser.findElement(By.cssSelector(".notice.settle")));
		screenshot("1-halted-with-evidence");

		this.browser.findElement(By.cssSelector("input[name=applied][value=yes]")).click();
		this.browser.findElement(By.cssSelector(".settle-form input[name=reason]")).sendKeys("The check finds the index");
		submit(this.browser, By.xpath("//button[normalize-space()='Settle the step']"));

		assertThat(this.browser.findElement(By.cssSelector(".notice.success")).getText())
			.contains("\"build-index\" settled as applied; the incident goes on.");
		assertThat(this.browser.findElement(By.id("incident-state")).getText()).isEqualTo("Executing");
		assertThat(this.browser.findElement(By.cssSelector("#row-build-index .badge")).getText()).isEqualTo("succeeded");
		screenshot("2-settled");
	}

}
