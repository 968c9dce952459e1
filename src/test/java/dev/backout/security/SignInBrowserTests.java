package dev.backout.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

class SignInBrowserTests extends BrowserTest {

	@Autowired
	JdbcClient jdbc;

	@Test
	void anAdminSignsInSeesTheUsersPageAndSignsOut() {
		this.browser.get(url("/"));
		this.await.until(ExpectedConditions.urlContains("/login"));
		assertThat(screenshot("login")).isRegularFile();

		signIn("admin");
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Welcome, admin"));
		assertThat(this.browser.findElements(By.linkText("Users"))).hasSize(1);
		screenshot("home");

		this.browser.findElement(By.linkText("Users")).click();
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Users"));
		assertThat(this.browser.findElement(By.tagName("table")).getText()).contains("commander", "lead", "auditor");
		screenshot("users");

		this.browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
		this.await.until(ExpectedConditions.urlContains("/login?logout"));
		assertThat(this.browser.getPageSource()).contains("You have been signed out.");
	}

	@Test
	void aCommanderDoesNotSeeAdminNavigationAndGetsAFriendly403() {
		signIn("commander");
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Welcome, commander"));
		assertThat(this.browser.findElements(By.linkText("Users"))).isEmpty();
		// On a real server the session lasts as application.yml says (MockMvc sees a servlet context's default).
		String sessionId = new String(Base64.getDecoder().decode(this.browser.manage().getCookieNamed("SESSION").getValue()),
				StandardCharsets.UTF_8);
		assertThat(this.jdbc.sql("select max_inactive_interval from spring_session where session_id = :id").param("id", sessionId)
			.query(Long.class).single()).isEqualTo(Duration.ofHours(8).toSeconds());

		this.browser.get(url("/admin/users"));
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Not allowed"));
		assertThat(this.browser.getPageSource()).doesNotContain("Exception").doesNotContain("at dev.backout");
		screenshot("forbidden");
	}

	@Test
	void aWrongPasswordShowsTheSameMessageAsAnUnknownUser() {
		this.browser.get(url("/login"));
		this.browser.findElement(By.name("username")).sendKeys("lead");
		this.browser.findElement(By.name("password")).sendKeys("not-the-password");
		this.browser.findElement(By.cssSelector("button[type=submit]")).click();
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".notice.error")));
		org.openqa.selenium.WebElement firstNotice = this.browser.findElement(By.cssSelector(".notice.error"));
		String wrongPassword = firstNotice.getText();

		this.browser.findElement(By.name("username")).sendKeys("no-such-user");
		this.browser.findElement(By.name("password")).sendKeys("not-the-password");
		this.browser.findElement(By.cssSelector("button[type=submit]")).click();
		// The first page's notice is still there until the answer arrives: wait for the new page.
		this.await.until(ExpectedConditions.stalenessOf(firstNotice));
		this.await.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".notice.error")));
		assertThat(this.browser.findElement(By.cssSelector(".notice.error")).getText()).isEqualTo(wrongPassword)
			.startsWith("Sign-in failed.");
		screenshot("failed");
	}

}
