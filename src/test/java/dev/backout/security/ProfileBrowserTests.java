package dev.backout.security;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import static org.assertj.core.api.Assertions.assertThat;

/** A person sets the address the console writes to, on their profile page. */
class ProfileBrowserTests extends BrowserTest {

	@Test
	void aLeadSetsTheAddressApprovalsAreMailedTo() {
		signIn("lead");
		this.browser.get(url("/profile"));
		this.browser.findElement(By.name("email")).sendKeys("lead@example.com");
		submit(this.browser, By.xpath("//section[contains(@class,'contact')]//button[normalize-space()='Save']"));
		assertThat(this.browser.findElement(By.cssSelector("body")).getText())
			.contains("The console writes to lead@example.com when an approval waits for you");
		assertThat(this.browser.findElement(By.name("email")).getAttribute("value")).isEqualTo("lead@example.com");
		screenshot("saved");
		assertAccessible(this.browser, "profile");
	}

}
