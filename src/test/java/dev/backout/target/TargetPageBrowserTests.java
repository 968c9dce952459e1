package dev.backout.target;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** The target page as an admin sees it: both credentials, and what Test connection says of each. */
class TargetPageBrowserTests extends BrowserTest {

	@Autowired
	Targets targets;

	@Test
	void testConnectionShowsWhatTheStepAndCheckCredentialsMayDo() {
		long demo = this.targets.findByName("demo").orElseThrow().id();
		signIn("admin");
		this.await.until(ExpectedConditions.urlToBe(url("/")));
		this.browser.get(url("/admin/targets/" + demo));
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Target demo"));
		assertThat(this.browser.findElement(By.name("checkUsername")).getAttribute("value")).isEqualTo("demo_reader");
		this.browser.findElement(By.xpath("//button[normalize-space()='Test connection']")).click();
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table.roles")));
		assertThat(this.browser.findElement(By.cssSelector("table.roles")).getText()).contains("steps demo_owner",
				"checks demo_reader", "Nothing: as it should be.");
		((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("arguments[0].scrollIntoView()",
				this.browser.findElement(By.cssSelector("table.roles")));
		screenshot("connection-report");
	}

}
