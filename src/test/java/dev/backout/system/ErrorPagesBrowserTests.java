package dev.backout.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.backout.BrowserTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Error pages as a browser and a plain HTTP client receive them from the real server.
 */
class ErrorPagesBrowserTests extends BrowserTest {

	@Test
	void anUnknownAddressShowsAFriendly404WithoutDetails() {
		signIn("auditor");
		this.await.until(ExpectedConditions.urlToBe(url("/")));
		this.browser.get(url("/no/such/page"));
		this.await.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Not found"));
		assertThat(this.browser.findElement(By.cssSelector(".error-code")).getText()).isEqualTo("404");
		assertThat(this.browser.getPageSource()).doesNotContain("Exception").doesNotContain("Whitelabel");
		screenshot("404");
	}

	@Test
	void securityHeadersAreSentWithEveryPage() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url("/login"))).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
				(csp) -> assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'"));
		assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
	}

}
