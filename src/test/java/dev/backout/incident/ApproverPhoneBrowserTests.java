package dev.backout.incident;

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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A team lead approves from a phone (390×844): the summary comes first, nothing scrolls sideways,
 * and the decision is one tap away. (A wrong password that keeps the comment is
 * ReauthenticationIntegrationTests': this session signed in too recently to be asked for one.)
 */
class ApproverPhoneBrowserTests extends BrowserTest {

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
	void aTeamLeadApprovesOnAPhoneWithoutScrollingSideways() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = InterruptedSteps.prepare(this.catalog, scratch, "phone-approval");
		Incident incident = new InterruptedSteps(this.incidents, this.incidentApprovals, this.incidentSteps, this.approvals, scratch).awaitingApproval(target);
		SecurityContextHolder.clearContext();

		this.browser.manage().window().setSize(new Dimension(390, 844));
		signIn("lead");
		this.browser.get(url("/approvals/" + incident.id()));
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("form.decide")));
		assertNoSidewaysScroll("review");
		WebElement summary = this.browser.findElement(By.cssSelector(".review-summary"));
		assertThat(summary.getText()).contains("Decide within", "steps", "destructive");
		screenshot("1-summary");
		assertAccessible(this.browser, "the review on a phone");
		assertThat(summary.getLocation().getY() + summary.getSize().getHeight()).as("the summary is on the first screen")
			.isLessThan(844);

		WebElement jump = this.browser.findElement(By.cssSelector(".decide-jump"));
		assertThat(jump.isDisplayed()).isTrue();
		jump.click();
		this.await.until((d) -> inViewport(d.findElement(By.xpath("//button[normalize-space()='Approve']"))));
		assertThat(inViewport(this.browser.findElement(By.xpath("//button[normalize-space()='Reject']")))).isTrue();

		String comment = "Read every step on my phone; the backup is there";
		this.browser.findElement(By.name("comment")).sendKeys(comment);
		submit(this.browser, By.xpath("//button[normalize-space()='Approve']"));
		assertThat(this.browser.findElement(By.cssSelector(".notice.success")).getText()).isEqualTo("Approved: the incident may execute.");
		assertNoSidewaysScroll("approved");
		screenshot("3-approved");
	}

	private void assertNoSidewaysScroll(String when) {
		Object widths = ((JavascriptExecutor) this.browser)
			.executeScript("return [document.documentElement.scrollWidth, window.innerWidth]");
		assertThat(widths).as("page width vs screen width, %s", when).asList()
			.satisfies((w) -> assertThat(((Number) w.get(0)).longValue()).isLessThanOrEqualTo(((Number) w.get(1)).longValue()));
	}

	private boolean inViewport(WebElement element) {
		return Boolean.TRUE.equals(((JavascriptExecutor) this.browser).executeScript(
				"const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight", element));
	}

}
